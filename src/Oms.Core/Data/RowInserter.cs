using System.Collections.Concurrent;
using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Oms.Data;

/// <summary>
/// Inserts new entities without EF's change tracking, for the hot write paths (order intake): the
/// rows queued with <see cref="Add{T}(T)"/> go to the database as one command (one round trip) of one
/// <c>INSERT … RETURNING id</c> per row, in the caller's transaction, and each entity gets its
/// generated id. Columns, names and the stored representation come from the EF model itself — every
/// value goes through the property's own type mapping and value converter (SQLite's scaled-integer
/// decimals and tick times included) — so a row written here reads back through EF exactly as if
/// <c>SaveChanges</c> had written it. The entities stay untracked.
/// <para>
/// Only for entity types whose one generated value is the store-generated key; anything else EF would
/// generate (defaults, concurrency tokens) is refused when the type is first used.
/// </para>
/// </summary>
internal sealed class RowInserter(OmsDbContext db)
{
    private readonly List<(object Entity, Shape Shape)> _rows = [];

    public int Count => _rows.Count;

    public RowInserter Add<T>(T entity) where T : class
    {
        ArgumentNullException.ThrowIfNull(entity);
        _rows.Add((entity, ShapeOf(typeof(T))));
        return this;
    }

    public RowInserter AddRange<T>(IEnumerable<T> entities) where T : class
    {
        ArgumentNullException.ThrowIfNull(entities);
        var shape = ShapeOf(typeof(T));
        foreach (var e in entities) _rows.Add((e, shape));
        return this;
    }

    /// <summary>Writes the queued rows (one round trip) and sets their ids; the queue is then empty.</summary>
    public async Task ExecuteAsync(CancellationToken ct)
    {
        if (_rows.Count == 0) return;
        var tx = db.Database.CurrentTransaction?.GetDbTransaction()
                 ?? throw new InvalidOperationException("rows are inserted in the caller's transaction");
        await using var cmd = tx.Connection!.CreateCommand();
        cmd.Transaction = tx;
        var sql = new StringBuilder(_rows.Count * 200);
        for (var r = 0; r < _rows.Count; r++)
        {
            var (entity, shape) = _rows[r];
            sql.Append(shape.Head);
            AppendValues(cmd, sql, r, entity, shape);
            sql.Append(shape.Tail);
        }
        cmd.CommandText = sql.ToString();
        var returning = _rows.Count(r => r.Shape.SetKey is not null);
        if (returning == 0)
        {
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            _rows.Clear();
            return;
        }
        if (returning != _rows.Count)
            throw new NotSupportedException("rows with and without a generated key go in separate executions");
        await using (var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            for (var r = 0; r < _rows.Count; r++)
            {
                if (r > 0 && !await reader.NextResultAsync(ct).ConfigureAwait(false))
                    throw new InvalidOperationException("the insert answered fewer ids than rows");
                if (!await reader.ReadAsync(ct).ConfigureAwait(false))
                    throw new InvalidOperationException("an insert answered no id");
                var (entity, shape) = _rows[r];
                shape.SetKey!(entity, reader.GetInt64(0));
            }
        }
        _rows.Clear();
    }

    /// <summary>
    /// Writes the queued rows when nobody needs their generated ids (ledger lines, log lines): consecutive rows of one type
    /// go as one multi-row <c>INSERT … VALUES (…), (…)</c> (one round trip for all, far less for the database to parse).
    /// The entities' ids stay unset. The queue is then empty.
    /// </summary>
    public async Task ExecuteWithoutIdsAsync(CancellationToken ct)
    {
        if (_rows.Count == 0) return;
        var tx = db.Database.CurrentTransaction?.GetDbTransaction()
                 ?? throw new InvalidOperationException("rows are inserted in the caller's transaction");
        await using var cmd = tx.Connection!.CreateCommand();
        cmd.Transaction = tx;
        var sql = new StringBuilder(_rows.Count * 100);
        Shape? open = null;
        var inStatement = 0;
        for (var r = 0; r < _rows.Count; r++)
        {
            var (entity, shape) = _rows[r];
            // a new statement per type, and at most 500 rows per statement (SQLite's limit on parameters)
            if (!ReferenceEquals(open, shape) || inStatement == 500)
            {
                if (open is not null) sql.Append(";\n");
                sql.Append(shape.Head);
                open = shape;
                inStatement = 0;
            }
            else sql.Append(", (");
            AppendValues(cmd, sql, r, entity, shape);
            sql.Append(')');
            inStatement++;
        }
        sql.Append(";\n");
        cmd.CommandText = sql.ToString();
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        _rows.Clear();
    }

    /// <summary>
    /// <see cref="ExecuteWithoutIdsAsync"/> for many rows of few types (ledger lines, sale lines of a batch): on PostgreSQL
    /// each type's rows go as one <c>INSERT … SELECT * FROM unnest(…)</c> with one array parameter per column — a statement
    /// the database parses once whatever the row count, where a multi-row <c>VALUES</c> list has a parameter per value. On
    /// SQLite (no arrays) it is <see cref="ExecuteWithoutIdsAsync"/>. Rows of one type keep their order. The queue is then empty.
    /// </summary>
    public async Task ExecuteWithoutIdsByArraysAsync(CancellationToken ct)
    {
        if (!db.Database.IsNpgsql())
        {
            await ExecuteWithoutIdsAsync(ct).ConfigureAwait(false);
            return;
        }
        if (_rows.Count == 0) return;
        var tx = db.Database.CurrentTransaction?.GetDbTransaction()
                 ?? throw new InvalidOperationException("rows are inserted in the caller's transaction");
        await using var cmd = tx.Connection!.CreateCommand();
        cmd.Transaction = tx;
        var sql = new StringBuilder();
        foreach (var group in _rows.GroupBy(r => r.Shape))
        {
            var shape = group.Key;
            var entities = group.Select(r => r.Entity).ToList();
            sql.Append(shape.Insert).Append(" SELECT * FROM unnest(");
            for (var c = 0; c < shape.Columns.Length; c++)
            {
                var (property, mapping) = shape.Columns[c];
                // the values as the provider stores them (enums as numbers, …), in an array of that type
                var converter = mapping.Converter;
                var stored = Nullable.GetUnderlyingType(converter?.ProviderClrType ?? property.ClrType) ?? converter?.ProviderClrType ?? property.ClrType;
                var values = Array.CreateInstance(stored.IsValueType && property.IsNullable ? typeof(Nullable<>).MakeGenericType(stored) : stored, entities.Count);
                var getter = property.GetGetter();
                for (var i = 0; i < entities.Count; i++)
                {
                    var v = getter.GetClrValue(entities[i]);
                    values.SetValue(v is not null && converter is not null ? converter.ConvertToProvider(v) : v, i);
                }
                var name = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"@a{cmd.Parameters.Count}");
                var parameter = cmd.CreateParameter();
                parameter.ParameterName = name;
                parameter.Value = values;
                cmd.Parameters.Add(parameter);
                sql.Append(c == 0 ? "" : ", ").Append(name).Append("::").Append(mapping.StoreType).Append("[]");
            }
            sql.Append(");\n");
        }
        cmd.CommandText = sql.ToString();
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        _rows.Clear();
    }

    /// <summary>
    /// Writes the queued rows, each skipped when it would break a unique key (<c>ON CONFLICT DO NOTHING</c>, PostgreSQL and
    /// SQLite alike), in one round trip: a claim of many keys at once. Answers, row by row, whether it was inserted. The
    /// entities' ids stay unset. The queue is then empty.
    /// </summary>
    public async Task<bool[]> ExecuteSkippingConflictsAsync(CancellationToken ct)
    {
        var inserted = new bool[_rows.Count];
        if (_rows.Count == 0) return inserted;
        var tx = db.Database.CurrentTransaction?.GetDbTransaction()
                 ?? throw new InvalidOperationException("rows are inserted in the caller's transaction");
        await using var cmd = tx.Connection!.CreateCommand();
        cmd.Transaction = tx;
        var sql = new StringBuilder(_rows.Count * 150);
        for (var r = 0; r < _rows.Count; r++)
        {
            var (entity, shape) = _rows[r];
            sql.Append(shape.Head);
            AppendValues(cmd, sql, r, entity, shape);
            sql.Append(") ON CONFLICT DO NOTHING RETURNING 1;\n");
        }
        cmd.CommandText = sql.ToString();
        await using (var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            for (var r = 0; r < _rows.Count; r++)
            {
                if (r > 0 && !await reader.NextResultAsync(ct).ConfigureAwait(false))
                    throw new InvalidOperationException("the insert answered fewer results than rows");
                inserted[r] = await reader.ReadAsync(ct).ConfigureAwait(false);
            }
        }
        _rows.Clear();
        return inserted;
    }

    /// <summary>The row's values as parameters <c>@p{row}_{column}</c>, through each property's own type mapping.</summary>
    private static void AppendValues(DbCommand cmd, StringBuilder sql, int row, object entity, Shape shape)
    {
        for (var c = 0; c < shape.Columns.Length; c++)
        {
            var (property, mapping) = shape.Columns[c];
            var name = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"@p{row}_{c}");
            cmd.Parameters.Add(mapping.CreateParameter(cmd, name, property.GetGetter().GetClrValue(entity), property.IsNullable));
            sql.Append(c == 0 ? "" : ", ").Append(name);
        }
    }

    private static readonly ConcurrentDictionary<(IModel, Type), Shape> Shapes = new();

    private Shape ShapeOf(Type type) => Shapes.GetOrAdd((db.Model, type), static k => Shape.Build(k.Item1, k.Item2));

    /// <summary>The INSERT of one entity type, from the model.</summary>
    private sealed class Shape
    {
        public required string Head { get; init; }
        /// <summary><c>INSERT INTO table (columns)</c>, for a row source of one's own.</summary>
        public required string Insert { get; init; }
        public required string Tail { get; init; }
        public required (IProperty Property, RelationalTypeMapping Mapping)[] Columns { get; init; }
        /// <summary>Null when the key is not generated (it is then one of the columns).</summary>
        public required Action<object, long>? SetKey { get; init; }

        public static Shape Build(IModel model, Type type)
        {
            var entityType = model.FindEntityType(type) ?? throw new InvalidOperationException($"{type.Name} is not in the model");
            var table = StoreObjectIdentifier.Table(entityType.GetTableName()!, entityType.GetSchema());
            var keys = entityType.FindPrimaryKey()!.Properties;
            var key = keys is [{ ValueGenerated: ValueGenerated.OnAdd } k] ? k : null;
            if (key is not null && key.ClrType != typeof(long))
                throw new NotSupportedException($"{type.Name}: a generated key must be a long");
            var columns = new List<(IProperty, RelationalTypeMapping)>();
            foreach (var p in entityType.GetProperties())
            {
                if (p == key) continue;
                if (p.ValueGenerated != ValueGenerated.Never || p.IsShadowProperty() || p.IsConcurrencyToken)
                    throw new NotSupportedException($"{type.Name}.{p.Name}: generated, shadow or concurrency-token columns are not supported");
                columns.Add((p, p.GetRelationalTypeMapping()));
            }
            var q = (string n) => "\"" + n + "\"";
            var insert = $"INSERT INTO {q(table.Name)} ({string.Join(", ", columns.Select(c => q(c.Item1.GetColumnName(table)!)))})";
            var head = insert + " VALUES (";
            if (key is null) return new Shape { Head = head, Insert = insert, Tail = ");\n", Columns = [.. columns], SetKey = null };
            var keySetter = key.PropertyInfo ?? throw new NotSupportedException($"{type.Name}: the key needs a property");
            return new Shape
            {
                Head = head,
                Insert = insert,
                Tail = $") RETURNING {q(key.GetColumnName(table)!)};\n",
                Columns = [.. columns],
                SetKey = (e, id) => keySetter.SetValue(e, id),
            };
        }
    }
}
