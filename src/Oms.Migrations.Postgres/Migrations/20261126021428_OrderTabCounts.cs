using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Oms.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class OrderTabCounts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "order_tab_count",
                columns: table => new
                {
                    shop_id = table.Column<long>(type: "bigint", nullable: false),
                    tab = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    slot = table.Column<int>(type: "integer", nullable: false),
                    n = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_order_tab_count", x => new { x.shop_id, x.tab, x.slot });
                });

            migrationBuilder.CreateIndex(
                name: "ix_orders_arrived_at_id",
                table: "orders",
                columns: new[] { "arrived_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_orders_buyer_id",
                table: "orders",
                column: "buyer_id");

            migrationBuilder.CreateIndex(
                name: "ix_orders_ship_name",
                table: "orders",
                column: "ship_name");

            migrationBuilder.CreateIndex(
                name: "ix_orders_shop_id_id",
                table: "orders",
                columns: new[] { "shop_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_orders_tab_cancelled",
                table: "orders",
                column: "id",
                filter: "status = 1");

            migrationBuilder.CreateIndex(
                name: "ix_orders_tab_failed",
                table: "orders",
                column: "id",
                filter: "is_fail AND status <> 1");

            migrationBuilder.CreateIndex(
                name: "ix_orders_tab_paused",
                table: "orders",
                column: "id",
                filter: "status = 0 AND (pause OR abnormal)");

            migrationBuilder.CreateIndex(
                name: "ix_orders_tab_to_pay",
                table: "orders",
                column: "id",
                filter: "status = 0 AND NOT is_fail AND NOT is_cod AND pay_status IN (0, 3, 8)");

            migrationBuilder.CreateIndex(
                name: "ix_orders_tab_to_process",
                table: "orders",
                column: "id",
                filter: "status = 0 AND NOT is_fail AND NOT confirmed AND NOT pause AND (is_cod OR pay_status IN (1, 2, 4, 5, 6, 7))");

            migrationBuilder.CreateIndex(
                name: "ix_orders_tab_to_ship",
                table: "orders",
                column: "id",
                filter: "status = 0 AND confirmed AND ship_status IN (0, 2)");

            migrationBuilder.CreateIndex(
                name: "ix_order_object_bn_order_id",
                table: "order_object",
                columns: new[] { "bn", "order_id" });

            migrationBuilder.CreateIndex(
                name: "ix_order_item_bn_order_id",
                table: "order_item",
                columns: new[] { "bn", "order_id" });

            // the counters of the order list's tabs, kept by triggers generated from Oms.Orders.OrderTabs
            // (the SQL of this migration is produced from the tab definitions when it runs); a later change of
            // a tab predicate adds a migration that runs DropTriggers + CreateTriggers again, then `oms orders recount`.
            migrationBuilder.Sql(global::Oms.Orders.OrderTabCountSql.CreateTriggers(postgres: true));
            // orders that exist already (an upgrade): count them once
            migrationBuilder.Sql(global::Oms.Orders.OrderTabCountSql.RebuildAll(postgres: true));
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(global::Oms.Orders.OrderTabCountSql.DropTriggers(postgres: true));

            migrationBuilder.DropTable(
                name: "order_tab_count");

            migrationBuilder.DropIndex(
                name: "ix_orders_arrived_at_id",
                table: "orders");

            migrationBuilder.DropIndex(
                name: "ix_orders_buyer_id",
                table: "orders");

            migrationBuilder.DropIndex(
                name: "ix_orders_ship_name",
                table: "orders");

            migrationBuilder.DropIndex(
                name: "ix_orders_shop_id_id",
                table: "orders");

            migrationBuilder.DropIndex(
                name: "ix_orders_tab_cancelled",
                table: "orders");

            migrationBuilder.DropIndex(
                name: "ix_orders_tab_failed",
                table: "orders");

            migrationBuilder.DropIndex(
                name: "ix_orders_tab_paused",
                table: "orders");

            migrationBuilder.DropIndex(
                name: "ix_orders_tab_to_pay",
                table: "orders");

            migrationBuilder.DropIndex(
                name: "ix_orders_tab_to_process",
                table: "orders");

            migrationBuilder.DropIndex(
                name: "ix_orders_tab_to_ship",
                table: "orders");

            migrationBuilder.DropIndex(
                name: "ix_order_object_bn_order_id",
                table: "order_object");

            migrationBuilder.DropIndex(
                name: "ix_order_item_bn_order_id",
                table: "order_item");
        }
    }
}
