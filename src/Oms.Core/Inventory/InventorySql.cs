using System.Data;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Oms.Data;

namespace Oms.Inventory;

/// <summary>
/// Plain ADO.NET commands on the context's own connection and transaction, with the value
/// conventions of <see cref="OmsDbContext"/>: on SQLite a <c>DateTime</c> is stored as UTC ticks
/// and a <c>decimal</c> as a long scaled by 10,000; on PostgreSQL they are native.
/// </summary>
internal sealed class InventorySql(OmsDbContext db)
{
    private readonly bool _sqlite = db.IsSqlite;

    public DbTransaction RequireTransaction()
    {
        var tx = db.Database.CurrentTransaction
                 ?? throw new InvalidOperationException(
                     "Stock moves need an open transaction on the OmsDbContext: the caller owns the unit of work (db.Database.BeginTransactionAsync).");
        return tx.GetDbTransaction();
    }

    public DbCommand Command(string sql, DbTransaction? tx)
    {
        var cmd = db.Database.GetDbConnection().CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        return cmd;
    }

    public DbCommand Add(DbCommand cmd, string name, object? value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value switch
        {
            null => DBNull.Value,
            DateTime t => _sqlite ? UtcTicks(t) : DateTime.SpecifyKind(t, DateTimeKind.Utc),
            decimal d => _sqlite ? (long)decimal.Round(d * 10000m, 0, MidpointRounding.AwayFromZero) : d,
            _ => value,
        };
        if (value is string) p.DbType = DbType.String;
        cmd.Parameters.Add(p);
        return cmd;
    }

    /// <summary>A <c>decimal</c> column's value as read (the inverse of <see cref="Add"/>'s convention).</summary>
    public decimal Decimal(DbDataReader r, int i) => _sqlite ? r.GetInt64(i) / 10000m : r.GetDecimal(i);

    /// <summary>A UTC <c>DateTime</c> column's value as read (the inverse of <see cref="Add"/>'s convention).</summary>
    public DateTime Time(DbDataReader r, int i) =>
        _sqlite ? new DateTime(r.GetInt64(i), DateTimeKind.Utc) : DateTime.SpecifyKind(r.GetDateTime(i), DateTimeKind.Utc);

    private static long UtcTicks(DateTime t) => (t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : t).Ticks;

    /// <summary>Runs a reader-producing action with the connection open (opening it only for the duration if it was closed).</summary>
    public async Task<T> WithConnectionAsync<T>(Func<DbTransaction?, Task<T>> action, CancellationToken ct)
    {
        var conn = db.Database.GetDbConnection();
        var opened = false;
        if (conn.State != ConnectionState.Open)
        {
            await db.Database.OpenConnectionAsync(ct).ConfigureAwait(false);
            opened = true;
        }
        try
        {
            return await action(db.Database.CurrentTransaction?.GetDbTransaction()).ConfigureAwait(false);
        }
        finally
        {
            if (opened) await db.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }

    public static int ToInt(object value) => Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture);
    public static long ToLong(object value) => Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
}
