using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Oms.Inventory;

namespace Oms.Data;

/// <summary>
/// Reads the result sets of statements appended to a <see cref="SqlBatch"/> (<c>Append…</c> methods): it starts at their first
/// result set — the reader positioned there by the caller, with <c>NextResultAsync</c> past the statements before — and
/// ends on their last.
/// </summary>
internal delegate Task<T> ResultReader<T>(DbDataReader reader, CancellationToken ct);

/// <summary>
/// Several hand-written statements and their parameters in one command (one round trip) in the caller's transaction, for
/// the set-wise writes and the merged reads of the batch paths (consign, automatic review). Values go through <see cref="InventorySql"/>, which
/// stores them as the model does (SQLite's tick times and scaled decimals); <see cref="P"/> names each value.
/// </summary>
internal sealed partial class SqlBatch : IAsyncDisposable
{
    private readonly InventorySql _sql;
    private readonly DbCommand _cmd;
    private readonly StringBuilder _text = new();
    private int _n;

    public SqlBatch(OmsDbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        _sql = new InventorySql(db);
        _cmd = _sql.Command("", _sql.RequireTransaction());
        IsNpgsql = db.Database.IsNpgsql();
    }

    /// <summary>PostgreSQL (values may go as arrays through <c>unnest</c>); else SQLite (one statement per row).</summary>
    public bool IsNpgsql { get; }

    /// <summary>True while no statement was appended.</summary>
    public bool IsEmpty => _text.Length == 0;

    /// <summary>A parameter for <paramref name="value"/>; answers its name to put into the text.</summary>
    public string P(object? value)
    {
        var name = "@v" + (_n++).ToString(CultureInfo.InvariantCulture);
        _sql.Add(_cmd, name, value);
        return name;
    }

    /// <summary>
    /// <paramref name="column"/> in <paramref name="ids"/>: <c>id = ANY(@array)</c> on PostgreSQL (one parameter), <c>id IN (…)</c>
    /// on SQLite.
    /// </summary>
    public string IdIn(IEnumerable<long> ids, string column = "id") => In(column, ids);

    /// <summary>
    /// <paramref name="column"/> in <paramref name="values"/> (not empty): <c>column = ANY(@array)</c> on PostgreSQL (one parameter,
    /// the same text for any count), <c>column IN (…)</c> on SQLite.
    /// </summary>
    public string In<T>(string column, IEnumerable<T> values) =>
        IsNpgsql ? column + " = ANY(" + P(values.ToArray()) + ")" : column + " IN (" + string.Join(", ", values.Select(v => P(v))) + ")";

    /// <summary>A parameter with a fixed name (a value several statements share, like <c>@now</c>).</summary>
    public void Add(string name, object? value) => _sql.Add(_cmd, name, value);

    /// <summary>The statements so far (append with <see cref="CultureInfo.InvariantCulture"/>).</summary>
    public StringBuilder Text => _text;

    /// <summary>
    /// Runs what was appended; answers the rows the statements changed, summed. On SQLite statement by statement (they end
    /// in <c>;</c> and a new line), each with only the parameters it names: SQLite binds every parameter of a command to
    /// every statement of it by looking its name up, n statements × m parameters (in-process calls, so no round trip is
    /// saved by one command).
    /// </summary>
    public async Task<int> ExecuteAsync(CancellationToken ct)
    {
        if (IsEmpty) return 0;
        var text = _text.ToString();
        if (IsNpgsql)
        {
            _cmd.CommandText = text;
            return await _cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        var parameters = new Dictionary<string, DbParameter>(StringComparer.Ordinal);
        foreach (DbParameter p in _cmd.Parameters) parameters[p.ParameterName] = p;
        _cmd.Parameters.Clear();
        var changed = 0;
        foreach (var statement in text.Split(";\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            _cmd.CommandText = statement;
            _cmd.Parameters.Clear();
            foreach (var name in ParameterName().Matches(statement).Select(m => m.Value).Distinct(StringComparer.Ordinal))
                if (parameters.TryGetValue(name, out var p)) _cmd.Parameters.Add(p);
            changed += await _cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        return changed;
    }

    [GeneratedRegex(@"@[A-Za-z_][A-Za-z0-9_]*")]
    private static partial Regex ParameterName();

    /// <summary>
    /// Runs what was appended as one query answering several result sets (read them in order, <c>NextResultAsync</c> between);
    /// read <c>decimal</c> and time columns with <see cref="Decimal"/> and <see cref="Time"/>.
    /// </summary>
    public Task<DbDataReader> ExecuteReaderAsync(CancellationToken ct)
    {
        _cmd.CommandText = _text.ToString();
        return _cmd.ExecuteReaderAsync(ct);
    }

    /// <summary>A <c>decimal</c> column as the model stores it.</summary>
    public decimal Decimal(DbDataReader r, int i) => _sql.Decimal(r, i);

    /// <summary>A UTC time column as the model stores it.</summary>
    public DateTime Time(DbDataReader r, int i) => _sql.Time(r, i);

    public ValueTask DisposeAsync() => _cmd.DisposeAsync();
}
