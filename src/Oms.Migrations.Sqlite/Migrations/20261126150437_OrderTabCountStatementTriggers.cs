using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Oms.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class OrderTabCountStatementTriggers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // nothing on SQLite: it has no statement triggers (PostgreSQL's tab-count triggers change in this migration)
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}
