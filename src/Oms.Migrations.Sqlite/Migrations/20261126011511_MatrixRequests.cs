using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Oms.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class MatrixRequests : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "matrix_request",
                columns: table => new
                {
                    node_id = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    task = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    method = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    answer = table.Column<string>(type: "text", maxLength: 255, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_matrix_request", x => new { x.node_id, x.task });
                });

            migrationBuilder.CreateIndex(
                name: "ix_matrix_request_created_at",
                table: "matrix_request",
                column: "created_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "matrix_request");
        }
    }
}
