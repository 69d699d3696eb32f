using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Oms.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Preprocess : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "gift_rule_id",
                table: "order_object",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "source",
                table: "order_object",
                type: "TEXT",
                maxLength: 20,
                nullable: false,
                defaultValue: "shop");

            migrationBuilder.CreateTable(
                name: "crm_gift_rule",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    rule_bn = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    priority = table.Column<int>(type: "INTEGER", nullable: false),
                    stackable = table.Column<bool>(type: "INTEGER", nullable: false),
                    start_at = table.Column<long>(type: "INTEGER", nullable: true),
                    end_at = table.Column<long>(type: "INTEGER", nullable: true),
                    min_amount = table.Column<long>(type: "INTEGER", nullable: true),
                    max_amount = table.Column<long>(type: "INTEGER", nullable: true),
                    min_items = table.Column<int>(type: "INTEGER", nullable: true),
                    max_items = table.Column<int>(type: "INTEGER", nullable: true),
                    sku_codes = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    sku_min_quantity = table.Column<int>(type: "INTEGER", nullable: false),
                    shop_bns = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    max_times = table.Column<int>(type: "INTEGER", nullable: true),
                    given_count = table.Column<int>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_crm_gift_rule", x => x.id);
                    table.CheckConstraint("ck_crm_gift_rule_given", "given_count >= 0");
                    table.CheckConstraint("ck_crm_gift_rule_limit", "max_times IS NULL OR given_count <= max_times");
                });

            migrationBuilder.CreateTable(
                name: "invoice_request",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    order_id = table.Column<long>(type: "INTEGER", nullable: false),
                    title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    title_source = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    tax_no = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    content = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    amount = table.Column<long>(type: "INTEGER", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_invoice_request", x => x.id);
                    table.ForeignKey(
                        name: "fk_invoice_request_orders_order_id",
                        column: x => x.order_id,
                        principalTable: "orders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "preprocess_plugin",
                columns: table => new
                {
                    code = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    position = table.Column<int>(type: "INTEGER", nullable: false),
                    enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_preprocess_plugin", x => x.code);
                });

            migrationBuilder.CreateTable(
                name: "preprocess_run",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    order_id = table.Column<long>(type: "INTEGER", nullable: false),
                    @operator = table.Column<string>(name: "operator", type: "TEXT", maxLength: 100, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    changed = table.Column<bool>(type: "INTEGER", nullable: false),
                    skipped = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    steps = table.Column<string>(type: "text", maxLength: 255, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_preprocess_run", x => x.id);
                    table.ForeignKey(
                        name: "fk_preprocess_run_orders_order_id",
                        column: x => x.order_id,
                        principalTable: "orders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "crm_gift_rule_gift",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    rule_id = table.Column<long>(type: "INTEGER", nullable: false),
                    sales_material_bn = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    quantity = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_crm_gift_rule_gift", x => x.id);
                    table.CheckConstraint("ck_crm_gift_rule_gift_quantity", "quantity > 0");
                    table.ForeignKey(
                        name: "fk_crm_gift_rule_gift_crm_gift_rule_rule_id",
                        column: x => x.rule_id,
                        principalTable: "crm_gift_rule",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_crm_gift_rule_rule_bn",
                table: "crm_gift_rule",
                column: "rule_bn",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_crm_gift_rule_gift_rule_id",
                table: "crm_gift_rule_gift",
                column: "rule_id");

            migrationBuilder.CreateIndex(
                name: "ix_invoice_request_order_id",
                table: "invoice_request",
                column: "order_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_preprocess_run_order_id_id",
                table: "preprocess_run",
                columns: new[] { "order_id", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "crm_gift_rule_gift");

            migrationBuilder.DropTable(
                name: "invoice_request");

            migrationBuilder.DropTable(
                name: "preprocess_plugin");

            migrationBuilder.DropTable(
                name: "preprocess_run");

            migrationBuilder.DropTable(
                name: "crm_gift_rule");

            migrationBuilder.DropColumn(
                name: "gift_rule_id",
                table: "order_object");

            migrationBuilder.DropColumn(
                name: "source",
                table: "order_object");
        }
    }
}
