using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Oms.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class OrderTabCountBackendSlots : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // the tab counters' slot becomes the writing backend's (pg_backend_pid() % 16) instead of the order id's: the sums
            // per shop and tab stay what they are, so no recount is needed
            migrationBuilder.Sql(global::Oms.Orders.OrderTabCountSql.DropTriggers(postgres: true));
            migrationBuilder.Sql(global::Oms.Orders.OrderTabCountSql.CreateTriggers(postgres: true));
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // nothing: the counts are the same whichever slot holds them
        }
    }
}
