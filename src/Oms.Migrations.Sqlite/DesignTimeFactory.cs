using Microsoft.EntityFrameworkCore.Design;
using Oms.Data;

namespace Oms.Migrations.Sqlite;

/// <summary>Lets <c>dotnet ef migrations add</c> build the SQLite model without the host.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<OmsDbContext>
{
    public OmsDbContext CreateDbContext(string[] args) =>
        new(DatabaseOptions.ForSqliteFile(Path.Combine(Path.GetTempPath(), "oms-design.db")).Build());
}
