using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Oms.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Wms : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "wms_channel",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    channel_bn = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    adapter = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    node_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    token = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    node_type = table.Column<string>(type: "TEXT", maxLength: 50, nullable: false),
                    app_key = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    secret = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    customer_id = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    api_url = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    poll = table.Column<bool>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_wms_channel", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "delivery_wms",
                columns: table => new
                {
                    delivery_id = table.Column<long>(type: "INTEGER", nullable: false),
                    channel_id = table.Column<long>(type: "INTEGER", nullable: false),
                    push_state = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    push_request_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    push_error = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    pushed_at = table.Column<long>(type: "INTEGER", nullable: true),
                    out_delivery_bn = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    wms_status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    wms_status_at = table.Column<long>(type: "INTEGER", nullable: true),
                    last_callback_at = table.Column<long>(type: "INTEGER", nullable: true),
                    remark = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    volume = table.Column<long>(type: "INTEGER", nullable: true),
                    cancel_state = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    cancel_request_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    cancel_intent = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    cancel_order_id = table.Column<long>(type: "INTEGER", nullable: true),
                    cancel_reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    cancel_actor = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    cancel_error = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    cancel_requested_at = table.Column<long>(type: "INTEGER", nullable: true),
                    cancel_answered_at = table.Column<long>(type: "INTEGER", nullable: true),
                    poll_request_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    polled_at = table.Column<long>(type: "INTEGER", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_delivery_wms", x => x.delivery_id);
                    table.ForeignKey(
                        name: "fk_delivery_wms_delivery_delivery_id",
                        column: x => x.delivery_id,
                        principalTable: "delivery",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_delivery_wms_wms_channel_channel_id",
                        column: x => x.channel_id,
                        principalTable: "wms_channel",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_delivery_wms_cancel_request_id",
                table: "delivery_wms",
                column: "cancel_request_id");

            migrationBuilder.CreateIndex(
                name: "ix_delivery_wms_cancel_state_delivery_id",
                table: "delivery_wms",
                columns: new[] { "cancel_state", "delivery_id" });

            migrationBuilder.CreateIndex(
                name: "ix_delivery_wms_channel_id_out_delivery_bn",
                table: "delivery_wms",
                columns: new[] { "channel_id", "out_delivery_bn" });

            migrationBuilder.CreateIndex(
                name: "ix_delivery_wms_poll_request_id",
                table: "delivery_wms",
                column: "poll_request_id");

            migrationBuilder.CreateIndex(
                name: "ix_delivery_wms_push_request_id",
                table: "delivery_wms",
                column: "push_request_id");

            migrationBuilder.CreateIndex(
                name: "ix_delivery_wms_push_state_delivery_id",
                table: "delivery_wms",
                columns: new[] { "push_state", "delivery_id" });

            migrationBuilder.CreateIndex(
                name: "ix_wms_channel_channel_bn",
                table: "wms_channel",
                column: "channel_bn",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_wms_channel_node_id",
                table: "wms_channel",
                column: "node_id",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "delivery_wms");

            migrationBuilder.DropTable(
                name: "wms_channel");
        }
    }
}
