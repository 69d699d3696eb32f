using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Oms.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class Deliveries : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "delivery",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    delivery_bn = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    shop_id = table.Column<long>(type: "bigint", nullable: false),
                    branch_id = table.Column<long>(type: "bigint", nullable: false),
                    logistics_id = table.Column<long>(type: "bigint", nullable: true),
                    logi_code = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    logi_name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    logi_no = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    status = table.Column<int>(type: "integer", nullable: false),
                    process_status = table.Column<int>(type: "integer", nullable: false),
                    print_status = table.Column<int>(type: "integer", nullable: false),
                    wms_status = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    is_cod = table.Column<bool>(type: "boolean", nullable: false),
                    weight = table.Column<decimal>(type: "numeric(18,4)", precision: 18, scale: 4, nullable: false),
                    item_num = table.Column<int>(type: "integer", nullable: false),
                    sku_num = table.Column<int>(type: "integer", nullable: false),
                    total_amount = table.Column<decimal>(type: "numeric(18,4)", precision: 18, scale: 4, nullable: false),
                    member_uname = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    ship_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    ship_province = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    ship_city = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    ship_district = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    ship_addr = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    ship_zip = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    ship_tel = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    ship_mobile = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    created_by = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    shipped_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    memo = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_delivery", x => x.id);
                    table.ForeignKey(
                        name: "fk_delivery_branch_branch_id",
                        column: x => x.branch_id,
                        principalTable: "branch",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_delivery_logistics_company_logistics_id",
                        column: x => x.logistics_id,
                        principalTable: "logistics_company",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_delivery_shop_shop_id",
                        column: x => x.shop_id,
                        principalTable: "shop",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "order_review_state",
                columns: table => new
                {
                    order_id = table.Column<long>(type: "bigint", nullable: false),
                    seen_updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    attempted_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    flags = table.Column<long>(type: "bigint", nullable: false),
                    blocking = table.Column<long>(type: "bigint", nullable: false),
                    detail = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    retry_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    queued_until = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    manual_only = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_order_review_state", x => x.order_id);
                    table.ForeignKey(
                        name: "fk_order_review_state_orders_order_id",
                        column: x => x.order_id,
                        principalTable: "orders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "delivery_item",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    delivery_id = table.Column<long>(type: "bigint", nullable: false),
                    basic_material_id = table.Column<long>(type: "bigint", nullable: false),
                    bn = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    number = table.Column<int>(type: "integer", nullable: false),
                    verify_num = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_delivery_item", x => x.id);
                    table.CheckConstraint("ck_delivery_item_number", "number > 0");
                    table.CheckConstraint("ck_delivery_item_verify", "verify_num >= 0 AND verify_num <= number");
                    table.ForeignKey(
                        name: "fk_delivery_item_basic_material_basic_material_id",
                        column: x => x.basic_material_id,
                        principalTable: "basic_material",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_delivery_item_delivery_delivery_id",
                        column: x => x.delivery_id,
                        principalTable: "delivery",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "delivery_order_item",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    delivery_id = table.Column<long>(type: "bigint", nullable: false),
                    order_id = table.Column<long>(type: "bigint", nullable: false),
                    order_item_id = table.Column<long>(type: "bigint", nullable: false),
                    basic_material_id = table.Column<long>(type: "bigint", nullable: false),
                    number = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_delivery_order_item", x => x.id);
                    table.CheckConstraint("ck_delivery_order_item_number", "number > 0");
                    table.ForeignKey(
                        name: "fk_delivery_order_item_delivery_delivery_id",
                        column: x => x.delivery_id,
                        principalTable: "delivery",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_delivery_order_item_order_item_order_item_id",
                        column: x => x.order_item_id,
                        principalTable: "order_item",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_delivery_order_item_order_order_id",
                        column: x => x.order_id,
                        principalTable: "orders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_delivery_branch_id",
                table: "delivery",
                column: "branch_id");

            migrationBuilder.CreateIndex(
                name: "ix_delivery_delivery_bn",
                table: "delivery",
                column: "delivery_bn",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_delivery_logi_no",
                table: "delivery",
                column: "logi_no");

            migrationBuilder.CreateIndex(
                name: "ix_delivery_logistics_id",
                table: "delivery",
                column: "logistics_id");

            migrationBuilder.CreateIndex(
                name: "ix_delivery_shop_id",
                table: "delivery",
                column: "shop_id");

            migrationBuilder.CreateIndex(
                name: "ix_delivery_status_branch_id_id",
                table: "delivery",
                columns: new[] { "status", "branch_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_delivery_updated_at_id",
                table: "delivery",
                columns: new[] { "updated_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_delivery_item_basic_material_id",
                table: "delivery_item",
                column: "basic_material_id");

            migrationBuilder.CreateIndex(
                name: "ix_delivery_item_delivery_id_basic_material_id",
                table: "delivery_item",
                columns: new[] { "delivery_id", "basic_material_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_delivery_order_item_delivery_id",
                table: "delivery_order_item",
                column: "delivery_id");

            migrationBuilder.CreateIndex(
                name: "ix_delivery_order_item_order_id_delivery_id",
                table: "delivery_order_item",
                columns: new[] { "order_id", "delivery_id" });

            migrationBuilder.CreateIndex(
                name: "ix_delivery_order_item_order_item_id",
                table: "delivery_order_item",
                column: "order_item_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "delivery_item");

            migrationBuilder.DropTable(
                name: "delivery_order_item");

            migrationBuilder.DropTable(
                name: "order_review_state");

            migrationBuilder.DropTable(
                name: "delivery");
        }
    }
}
