using Microsoft.EntityFrameworkCore.Design;
using Oms.Data;

namespace Oms.Migrations.Postgres;

/// <summary>Lets <c>dotnet ef migrations add</c> build the PostgreSQL model without a server.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<OmsDbContext>
{
    public OmsDbContext CreateDbContext(string[] args) =>
        new(DatabaseOptions.ForPostgres("Host=127.0.0.1;Port=55432;Username=postgres;Database=oms_design").Build());
}
