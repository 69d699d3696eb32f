using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Oms.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Outbox : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "api_log",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    direction = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    method = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    peer = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    parameters = table.Column<string>(type: "text", maxLength: 255, nullable: true),
                    response = table.Column<string>(type: "text", maxLength: 255, nullable: true),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    error_code = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    message = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    duration_ms = table.Column<int>(type: "INTEGER", nullable: false),
                    attempt = table.Column<int>(type: "INTEGER", nullable: false),
                    business_key = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    outbox_id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_api_log", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "outbox_message",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    peer_kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    peer_id = table.Column<long>(type: "INTEGER", nullable: false),
                    peer_node_id = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    peer_node_type = table.Column<string>(type: "TEXT", maxLength: 50, nullable: true),
                    method = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    parameters = table.Column<string>(type: "text", maxLength: 255, nullable: false),
                    business_key = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    state = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    last_error = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    response = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    task_message_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    completed_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_outbox_message", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_api_log_business_key_id",
                table: "api_log",
                columns: new[] { "business_key", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_api_log_created_at",
                table: "api_log",
                column: "created_at");

            migrationBuilder.CreateIndex(
                name: "ix_api_log_method_created_at",
                table: "api_log",
                columns: new[] { "method", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_api_log_outbox_id",
                table: "api_log",
                column: "outbox_id");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_message_business_key",
                table: "outbox_message",
                column: "business_key");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_message_peer_kind_peer_id",
                table: "outbox_message",
                columns: new[] { "peer_kind", "peer_id" });

            migrationBuilder.CreateIndex(
                name: "ix_outbox_message_state_updated_at",
                table: "outbox_message",
                columns: new[] { "state", "updated_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "api_log");

            migrationBuilder.DropTable(
                name: "outbox_message");
        }
    }
}
