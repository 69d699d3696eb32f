using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Oms.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class OrderTabCountStatementTriggers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // the tab counters' triggers fire once per statement (transition tables) instead of once per order row: the
            // counts they keep are the same, so no recount is needed
            migrationBuilder.Sql(global::Oms.Orders.OrderTabCountSql.DropTriggers(postgres: true));
            migrationBuilder.Sql(global::Oms.Orders.OrderTabCountSql.CreateTriggers(postgres: true));
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // nothing: the statement triggers keep the same counts as the row triggers they replaced
        }
    }
}
