using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Oms.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class OrderTextColumns : Migration
    {
        /// <inheritdoc />
        // Only column lengths change, and SQLite does not enforce lengths (every string is TEXT). The
        // generated AlterColumn operations would rebuild the orders table, which drops its tab-count
        // triggers (rebuilds run last, after any SQL a migration adds), so SQLite has nothing to do here.
        protected override void Up(MigrationBuilder migrationBuilder)
        {
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}
