using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Oms.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class OrderTabCountBackendSlots : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // nothing on SQLite: one writer at a time, its row triggers keep the order id's slot (PostgreSQL's change in this migration)
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}
