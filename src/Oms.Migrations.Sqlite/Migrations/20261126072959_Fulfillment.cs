using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Oms.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Fulfillment : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "sales",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    sale_bn = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    order_id = table.Column<long>(type: "INTEGER", nullable: false),
                    order_bn = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    shop_id = table.Column<long>(type: "INTEGER", nullable: false),
                    branch_id = table.Column<long>(type: "INTEGER", nullable: false),
                    delivery_id = table.Column<long>(type: "INTEGER", nullable: false),
                    delivery_bn = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    logi_code = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    logi_no = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    sale_amount = table.Column<long>(type: "INTEGER", nullable: false),
                    item_num = table.Column<int>(type: "INTEGER", nullable: false),
                    sale_time = table.Column<long>(type: "INTEGER", nullable: false),
                    @operator = table.Column<string>(name: "operator", type: "TEXT", maxLength: 100, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sales", x => x.id);
                    table.ForeignKey(
                        name: "fk_sales_branch_branch_id",
                        column: x => x.branch_id,
                        principalTable: "branch",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_sales_delivery_delivery_id",
                        column: x => x.delivery_id,
                        principalTable: "delivery",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_sales_order_order_id",
                        column: x => x.order_id,
                        principalTable: "orders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_sales_shop_shop_id",
                        column: x => x.shop_id,
                        principalTable: "shop",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "sale_items",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    sale_id = table.Column<long>(type: "INTEGER", nullable: false),
                    order_item_id = table.Column<long>(type: "INTEGER", nullable: false),
                    basic_material_id = table.Column<long>(type: "INTEGER", nullable: false),
                    bn = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    nums = table.Column<int>(type: "INTEGER", nullable: false),
                    price = table.Column<long>(type: "INTEGER", nullable: false),
                    amount = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sale_items", x => x.id);
                    table.CheckConstraint("ck_sale_items_nums", "nums > 0");
                    table.ForeignKey(
                        name: "fk_sale_items_basic_material_basic_material_id",
                        column: x => x.basic_material_id,
                        principalTable: "basic_material",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_sale_items_order_item_order_item_id",
                        column: x => x.order_item_id,
                        principalTable: "order_item",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_sale_items_sales_sale_id",
                        column: x => x.sale_id,
                        principalTable: "sales",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_sale_items_basic_material_id",
                table: "sale_items",
                column: "basic_material_id");

            migrationBuilder.CreateIndex(
                name: "ix_sale_items_order_item_id",
                table: "sale_items",
                column: "order_item_id");

            migrationBuilder.CreateIndex(
                name: "ix_sale_items_sale_id",
                table: "sale_items",
                column: "sale_id");

            migrationBuilder.CreateIndex(
                name: "ix_sales_branch_id",
                table: "sales",
                column: "branch_id");

            migrationBuilder.CreateIndex(
                name: "ix_sales_delivery_id_order_id",
                table: "sales",
                columns: new[] { "delivery_id", "order_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_sales_order_id",
                table: "sales",
                column: "order_id");

            migrationBuilder.CreateIndex(
                name: "ix_sales_sale_bn",
                table: "sales",
                column: "sale_bn",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_sales_sale_time_id",
                table: "sales",
                columns: new[] { "sale_time", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_sales_shop_id",
                table: "sales",
                column: "shop_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "sale_items");

            migrationBuilder.DropTable(
                name: "sales");
        }
    }
}
