using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Oms.Data;

namespace Oms.Tasks;

/// <summary>Small ADO.NET helpers for the hand-written SQL of the task tables (both providers).</summary>
internal static class TaskSql
{
    /// <summary>A time as the column stores it: UTC ticks on SQLite, <c>timestamptz</c> on PostgreSQL.</summary>
    public static object Time(bool sqlite, DateTime utc) =>
        sqlite ? DateTime.SpecifyKind(utc, DateTimeKind.Utc).Ticks : DateTime.SpecifyKind(utc, DateTimeKind.Utc);

    public static DbCommand Command(OmsDbContext db, string sql)
    {
        var cmd = db.Database.GetDbConnection().CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        return cmd;
    }

    public static DbCommand With(this DbCommand cmd, string name, object? value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value ?? DBNull.Value;
        cmd.Parameters.Add(p);
        return cmd;
    }

    /// <summary>Adds <c>@{prefix}0..n</c> and returns the comma-joined parameter names for an <c>IN (...)</c>.</summary>
    public static string InList(this DbCommand cmd, string prefix, IEnumerable<string> values)
    {
        var names = new List<string>();
        foreach (var v in values)
        {
            var n = "@" + prefix + names.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            cmd.With(n, v);
            names.Add(n);
        }
        return string.Join(",", names);
    }

    public static string Truncate(string? text, int max) =>
        string.IsNullOrEmpty(text) ? "" : text.Length <= max ? text : text[..max];
}
