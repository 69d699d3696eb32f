using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Oms.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class SelfWms : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "floor_job",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    type = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    status = table.Column<int>(type: "INTEGER", nullable: false),
                    total = table.Column<int>(type: "INTEGER", nullable: false),
                    succeeded = table.Column<int>(type: "INTEGER", nullable: false),
                    failed = table.Column<int>(type: "INTEGER", nullable: false),
                    created_by = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    finished_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_floor_job", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "print_batch",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    batch_no = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    operator_id = table.Column<long>(type: "INTEGER", nullable: false),
                    day = table.Column<int>(type: "INTEGER", nullable: false),
                    seq = table.Column<int>(type: "INTEGER", nullable: false),
                    mode = table.Column<int>(type: "INTEGER", nullable: false),
                    branch_id = table.Column<long>(type: "INTEGER", nullable: false),
                    printed = table.Column<int>(type: "INTEGER", nullable: false),
                    print_count = table.Column<int>(type: "INTEGER", nullable: false),
                    created_by = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_print_batch", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "floor_job_line",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    job_id = table.Column<long>(type: "INTEGER", nullable: false),
                    seq = table.Column<int>(type: "INTEGER", nullable: false),
                    code = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    delivery_id = table.Column<long>(type: "INTEGER", nullable: true),
                    result = table.Column<int>(type: "INTEGER", nullable: false),
                    message = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_floor_job_line", x => x.id);
                    table.ForeignKey(
                        name: "fk_floor_job_line_floor_job_job_id",
                        column: x => x.job_id,
                        principalTable: "floor_job",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "print_batch_item",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    batch_id = table.Column<long>(type: "INTEGER", nullable: false),
                    delivery_id = table.Column<long>(type: "INTEGER", nullable: false),
                    position = table.Column<int>(type: "INTEGER", nullable: false),
                    code = table.Column<string>(type: "TEXT", maxLength: 48, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_print_batch_item", x => x.id);
                    table.ForeignKey(
                        name: "fk_print_batch_item_delivery_delivery_id",
                        column: x => x.delivery_id,
                        principalTable: "delivery",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_print_batch_item_print_batch_batch_id",
                        column: x => x.batch_id,
                        principalTable: "print_batch",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_floor_job_line_job_id_seq",
                table: "floor_job_line",
                columns: new[] { "job_id", "seq" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_print_batch_batch_no",
                table: "print_batch",
                column: "batch_no",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_print_batch_operator_id_day_seq",
                table: "print_batch",
                columns: new[] { "operator_id", "day", "seq" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_print_batch_item_batch_id_position",
                table: "print_batch_item",
                columns: new[] { "batch_id", "position" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_print_batch_item_delivery_id",
                table: "print_batch_item",
                column: "delivery_id",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "floor_job_line");

            migrationBuilder.DropTable(
                name: "print_batch_item");

            migrationBuilder.DropTable(
                name: "floor_job");

            migrationBuilder.DropTable(
                name: "print_batch");
        }
    }
}
