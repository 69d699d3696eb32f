using System.Collections.Concurrent;
using System.Data.Common;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using SQLitePCL;

namespace Oms.Data;

/// <summary>
/// Inserts new entities without EF's change tracking, for the hot write paths (order intake, review, consign), in the
/// caller's transaction: on PostgreSQL set-wise in one round trip (arrays through <c>unnest</c>, or one
/// <c>INSERT … RETURNING id</c> per row where the ids are generated), on SQLite through one prepared single-row
/// statement per type. Columns, names and the stored representation come from the EF model itself — every
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

    /// <summary>
    /// Queues rows whose generated key the caller already set (from <see cref="ReserveIdsAsync{T}"/>): the key is written as
    /// one of the columns. Only for <see cref="ExecuteWithoutIdsAsync"/>.
    /// </summary>
    public RowInserter AddRangeWithKeys<T>(IEnumerable<T> entities) where T : class
    {
        ArgumentNullException.ThrowIfNull(entities);
        var shape = Shapes.GetOrAdd((db.Model, typeof(T), true), static k => Shape.Build(k.Item1, k.Item2, includeKey: true));
        foreach (var e in entities) _rows.Add((e, shape));
        return this;
    }

    /// <summary>
    /// Reserves <paramref name="count"/> values of <typeparamref name="T"/>'s generated key, ascending, in one round trip, for
    /// rows written with <see cref="AddRangeWithKeys{T}"/>: on PostgreSQL from the identity's sequence; on SQLite past the
    /// table's autoincrement counter and its highest id — which only holds while the transaction is the only writer, so
    /// the caller's transaction must already have written (SQLite then holds its write lock).
    /// </summary>
    public async Task<long[]> ReserveIdsAsync<T>(int count, CancellationToken ct) where T : class =>
        (await ReserveIdsAsync([(typeof(T), count)], ct).ConfigureAwait(false))[0];

    /// <summary>
    /// <see cref="ReserveIdsAsync{T}"/> for several entity types at once, in one round trip: per type (in the order given)
    /// its ids, ascending.
    /// </summary>
    public async Task<long[][]> ReserveIdsAsync(IReadOnlyList<(Type Type, int Count)> wanted, CancellationToken ct)
    {
        await using var batch = new SqlBatch(db);
        var read = AppendReserveIds(batch, wanted);
        if (batch.IsEmpty) return await read(null!, ct).ConfigureAwait(false);
        await using var r = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await read(r, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// <see cref="ReserveIdsAsync(IReadOnlyList{ValueTuple{Type, int}}, CancellationToken)"/> as statements appended to
    /// <paramref name="batch"/>, so the reservation goes with other statements in one round trip; answers the reading of
    /// their result. Nothing is appended when no id is wanted; the reading then answers empty arrays without touching the
    /// reader.
    /// </summary>
    public ResultReader<long[][]> AppendReserveIds(SqlBatch batch, IReadOnlyList<(Type Type, int Count)> wanted)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(wanted);
        var result = wanted.Select(w => new long[w.Count]).ToArray();
        var asked = Enumerable.Range(0, wanted.Count).Where(i => wanted[i].Count > 0).ToList();
        foreach (var i in asked)
        {
            var (table, key) = KeyColumnOf(wanted[i].Type);
            // PostgreSQL: the sequence looked up once per statement (MATERIALIZED keeps the planner from pulling the lookup and
            // its text-to-regclass cast into every row — eight times the cost of the nextval itself)
            batch.Text.Append(batch.IsNpgsql
                ? $"WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence('\"{table}\"', '{key}')::regclass AS seq) SELECT nextval(s.seq) FROM s, generate_series(1, {batch.P(wanted[i].Count)}) ORDER BY 1;\n"
                : $"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '{table}'), 0), coalesce((SELECT max(\"{key}\") FROM \"{table}\"), 0));\n");
        }
        var postgres = batch.IsNpgsql;
        return async (r, ct) =>
        {
            for (var a = 0; a < asked.Count; a++)
            {
                if (a > 0 && !await r.NextResultAsync(ct).ConfigureAwait(false)) throw new InvalidOperationException("ids: fewer results than types");
                var ids = result[asked[a]];
                if (postgres)
                {
                    for (var i = 0; i < ids.Length; i++)
                        ids[i] = await r.ReadAsync(ct).ConfigureAwait(false) ? r.GetInt64(0) : throw new InvalidOperationException("the sequence answered fewer ids");
                }
                else
                {
                    // SQLite: past the autoincrement counter and the highest id (the caller's transaction is the only writer)
                    var last = await r.ReadAsync(ct).ConfigureAwait(false) ? r.GetInt64(0) : 0;
                    for (var i = 0; i < ids.Length; i++) ids[i] = last + 1 + i;
                }
            }
            return result;
        };
    }

    private (string Table, string Key) KeyColumnOf(Type type)
    {
        var entityType = db.Model.FindEntityType(type) ?? throw new InvalidOperationException($"{type.Name} is not in the model");
        var table = entityType.GetTableName()!;
        var key = entityType.FindPrimaryKey()!.Properties.Single().GetColumnName(StoreObjectIdentifier.Table(table, entityType.GetSchema()))!;
        return (table, key);
    }

    /// <summary>
    /// Writes the queued rows and sets their ids; the queue is then empty. PostgreSQL: one round trip, one
    /// <c>INSERT … RETURNING id</c> per row. SQLite: row by row (<see cref="RowByRow"/>).
    /// </summary>
    public async Task ExecuteAsync(CancellationToken ct)
    {
        if (_rows.Count == 0) return;
        var returning = _rows.Count(r => r.Shape.SetKey is not null);
        if (returning != 0 && returning != _rows.Count)
            throw new NotSupportedException("rows with and without a generated key go in separate executions");
        if (!db.Database.IsNpgsql())
        {
            RowByRow(s => s.Head + s.RowValues + s.Tail, (_, entity, shape, id) =>
                shape.SetKey?.Invoke(entity, id ?? throw new InvalidOperationException("an insert answered no id")));
            return;
        }
        await using var cmd = CommandInCallersTransaction("rows are inserted");
        var sql = new StringBuilder(_rows.Count * 200);
        for (var r = 0; r < _rows.Count; r++)
        {
            var (entity, shape) = _rows[r];
            sql.Append(shape.Head);
            AppendValues(cmd, sql, r, entity, shape);
            sql.Append(shape.Tail);
        }
        cmd.CommandText = sql.ToString();
        if (returning == 0)
        {
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            _rows.Clear();
            return;
        }
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
    /// Writes the queued rows when nobody needs their generated ids (ledger lines, log lines, rows whose keys were reserved).
    /// PostgreSQL: in one round trip, consecutive rows of one type as one <c>INSERT … SELECT * FROM unnest(…)</c> with one
    /// array parameter per column — a text the database parses and plans once (it is prepared), whatever the row count.
    /// SQLite: row by row (<see cref="RowByRow"/>). Rows keep their order. The entities' ids stay unset. The queue is
    /// then empty.
    /// </summary>
    public async Task ExecuteWithoutIdsAsync(CancellationToken ct)
    {
        if (_rows.Count == 0) return;
        if (db.Database.IsNpgsql())
        {
            await ExecuteByArraysAsync(ct).ConfigureAwait(false);
            return;
        }
        RowByRow(s => s.Head + s.RowValues + ")", (_, _, _, _) => { });
    }

    /// <summary>
    /// SQLite's writes: per type one single-row statement, prepared once and stepped for each of its rows with the row's
    /// values bound by position, straight through SQLite's own API (in-process calls, no round trips). Not through
    /// <c>SqliteCommand</c>: it binds by name — each name converted to UTF-8 and looked up among the statement's parameters
    /// one by one, for every row — and wants a parameter object per value; for an order's sixty columns that was a fifth of
    /// the row's cost. The values are the ones <c>SqliteCommand</c> would bind (<see cref="BindStored"/>). Rows go in the
    /// order queued; <paramref name="answered"/> gets each row with its first returned value (null when none). The queue is
    /// then empty.
    /// </summary>
    private void RowByRow(Func<Shape, string> text, Action<int, object, Shape, long?> answered)
    {
        var connection = db.Database.CurrentTransaction?.GetDbTransaction().Connection as SqliteConnection
                         ?? throw new InvalidOperationException("rows are inserted in the caller's transaction");
        var handle = connection.Handle ?? throw new InvalidOperationException("the connection is closed");
        var statements = new Dictionary<Shape, sqlite3_stmt>();
        try
        {
            for (var r = 0; r < _rows.Count; r++)
            {
                var (entity, shape) = _rows[r];
                if (!statements.TryGetValue(shape, out var stmt))
                {
                    var prepared = raw.sqlite3_prepare_v2(handle, text(shape), out stmt);
                    if (prepared != raw.SQLITE_OK)
                    {
                        stmt.Dispose();
                        SqliteException.ThrowExceptionForRC(prepared, handle);
                    }
                    statements.Add(shape, stmt);
                }
                for (var c = 0; c < shape.Columns.Length; c++)
                {
                    var (property, mapping) = shape.Columns[c];
                    var bound = BindStored(stmt, c + 1, Stored(property.GetGetter().GetClrValue(entity), mapping));
                    if (bound != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(bound, handle);
                }
                var rc = raw.sqlite3_step(stmt);
                long? first = rc == raw.SQLITE_ROW ? raw.sqlite3_column_int64(stmt, 0) : null;
                while (rc == raw.SQLITE_ROW) rc = raw.sqlite3_step(stmt);
                // a failed statement is finalized below as it is: the error stays the connection's to report
                if (rc != raw.SQLITE_DONE) SqliteException.ThrowExceptionForRC(rc, handle);
                raw.sqlite3_reset(stmt);
                answered(r, entity, shape, first);
            }
        }
        finally
        {
            foreach (var stmt in statements.Values) stmt.Dispose();
        }
        _rows.Clear();
    }

    /// <summary>
    /// Binds a value as the provider stores it (after the property's converter), as <c>SqliteCommand</c> binds it: integers,
    /// flags and enums as 64-bit integers, floating point as a double, text, bytes as a blob, null. The model maps
    /// everything else (decimals, times, lists) through converters to these (<see cref="OmsDbContext"/>).
    /// </summary>
    private static int BindStored(sqlite3_stmt stmt, int index, object? value) => value switch
    {
        null or DBNull => raw.sqlite3_bind_null(stmt, index),
        string s => raw.sqlite3_bind_text(stmt, index, s),
        long l => raw.sqlite3_bind_int64(stmt, index, l),
        int i => raw.sqlite3_bind_int64(stmt, index, i),
        bool b => raw.sqlite3_bind_int64(stmt, index, b ? 1 : 0),
        short or byte or sbyte or ushort or uint => raw.sqlite3_bind_int64(stmt, index, Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)),
        Enum e => raw.sqlite3_bind_int64(stmt, index, Convert.ToInt64(e, System.Globalization.CultureInfo.InvariantCulture)),
        double d when !double.IsNaN(d) => raw.sqlite3_bind_double(stmt, index, d),
        float f when !float.IsNaN(f) => raw.sqlite3_bind_double(stmt, index, f),
        byte[] bytes => raw.sqlite3_bind_blob(stmt, index, bytes),
        _ => throw new NotSupportedException($"a stored value of type {value.GetType().Name} ({value}): map the property to an integer, real, text or bytes"),
    };

    /// <summary>PostgreSQL's <see cref="ExecuteWithoutIdsAsync"/>: a statement per run of consecutive rows of one type, an array per column.</summary>
    private async Task ExecuteByArraysAsync(CancellationToken ct)
    {
        await using var cmd = CommandInCallersTransaction("rows are inserted");
        var sql = new StringBuilder();
        AppendArrayInserts(sql, values => ArrayParameter(cmd, values));
        cmd.CommandText = sql.ToString();
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        _rows.Clear();
    }

    /// <summary>
    /// PostgreSQL: the queued rows as <see cref="ExecuteWithoutIdsAsync"/> writes them, appended to <paramref name="batch"/>'s
    /// statements instead, so they go with its other writes in one round trip. The queue is then empty.
    /// </summary>
    public void AppendTo(SqlBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (!batch.IsNpgsql) throw new NotSupportedException("rows go into another command's text from arrays, on PostgreSQL only");
        AppendArrayInserts(batch.Text, values => batch.P(values));
        _rows.Clear();
    }

    /// <summary>Per run of consecutive rows of one type, its <c>INSERT … SELECT * FROM unnest(…)</c> and a semicolon.</summary>
    private void AppendArrayInserts(StringBuilder sql, Func<Array, string> parameter)
    {
        for (var start = 0; start < _rows.Count;)
        {
            var shape = _rows[start].Shape;
            var end = start;
            while (end < _rows.Count && ReferenceEquals(_rows[end].Shape, shape)) end++;
            AppendArrayInsert(parameter, sql, shape, _rows.GetRange(start, end - start).Select(r => r.Entity).ToList());
            sql.Append(";\n");
            start = end;
        }
    }

    /// <summary>An array parameter <c>@a{n}</c> of <paramref name="cmd"/>; answers its name.</summary>
    private static string ArrayParameter(DbCommand cmd, Array values)
    {
        var name = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"@a{cmd.Parameters.Count}");
        var parameter = cmd.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = values;
        cmd.Parameters.Add(parameter);
        return name;
    }

    /// <summary>
    /// <c>INSERT INTO t (columns) SELECT * FROM unnest(@a0::type[], …)</c> of <paramref name="entities"/>, without the semicolon;
    /// <paramref name="parameter"/> adds a column's array as a parameter and answers its name.
    /// </summary>
    private static void AppendArrayInsert(Func<Array, string> parameter, StringBuilder sql, Shape shape, List<object> entities)
    {
        sql.Append(shape.Insert).Append(" SELECT * FROM unnest(");
        for (var c = 0; c < shape.Columns.Length; c++)
        {
            var (property, mapping) = shape.Columns[c];
            // the values as the provider stores them (enums as numbers, …), in an array of that type
            var converter = mapping.Converter;
            var stored = Nullable.GetUnderlyingType(converter?.ProviderClrType ?? property.ClrType) ?? converter?.ProviderClrType ?? property.ClrType;
            var values = Array.CreateInstance(stored.IsValueType && property.IsNullable ? typeof(Nullable<>).MakeGenericType(stored) : stored, entities.Count);
            var getter = property.GetGetter();
            for (var i = 0; i < entities.Count; i++) values.SetValue(Stored(getter.GetClrValue(entities[i]), mapping), i);
            sql.Append(c == 0 ? "" : ", ").Append(parameter(values)).Append("::").Append(mapping.StoreType).Append("[]");
        }
        sql.Append(')');
    }

    /// <summary>A property's value as the provider stores it (through its mapping's converter).</summary>
    private static object? Stored(object? value, RelationalTypeMapping mapping) =>
        value is not null && mapping.Converter is { } converter ? converter.ConvertToProvider(value) : value;

    /// <summary>
    /// Writes the queued rows, each skipped when it would break a unique key (<c>ON CONFLICT DO NOTHING</c>, PostgreSQL and
    /// SQLite alike): a claim of many keys at once — on PostgreSQL in one round trip (from arrays when the rows are of one
    /// type whose primary key is its only unique key), on SQLite row by row (<see cref="RowByRow"/>). Answers, row by row, whether it was inserted. The
    /// entities' ids stay unset. The queue is then empty.
    /// </summary>
    public async Task<bool[]> ExecuteSkippingConflictsAsync(CancellationToken ct)
    {
        var inserted = new bool[_rows.Count];
        if (_rows.Count == 0) return inserted;
        if (db.Database.IsNpgsql() && ClaimableByArrays)
        {
            await using var batch = new SqlBatch(db);
            var read = AppendSkippingConflicts(batch)!;
            await using var reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
            return await read(reader, ct).ConfigureAwait(false);
        }
        if (db.Database.IsNpgsql())
        {
            // rows of several types, or of a type with another unique key: one command, a statement per row
            await using var cmd = CommandInCallersTransaction("rows are inserted");
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
        RowByRow(s => s.Head + s.RowValues + ") ON CONFLICT DO NOTHING RETURNING 1", (row, _, _, returned) => inserted[row] = returned is not null);
        return inserted;
    }

    /// <summary>
    /// PostgreSQL's <see cref="ExecuteSkippingConflictsAsync"/> for rows of one type whose primary key they carry and that
    /// have no other unique key, appended to <paramref name="batch"/> to go with other statements in one round trip: one
    /// <c>INSERT … SELECT * FROM unnest(…) ON CONFLICT DO NOTHING RETURNING</c> the keys written. A row was inserted when its
    /// key came back — the first row of a key, when several of the list share it. Answers the reading of the result (whether
    /// each row was inserted), or null when no row is queued (nothing appended). The queue is then empty.
    /// </summary>
    public ResultReader<bool[]>? AppendSkippingConflicts(SqlBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (_rows.Count == 0) return null;
        if (!batch.IsNpgsql || !ClaimableByArrays)
            throw new NotSupportedException("a claim appended to another command: PostgreSQL, rows of one type whose primary key is its only unique key");
        var shape = _rows[0].Shape;
        var key = shape.ConflictKey!;
        var rows = _rows.Select(r => r.Entity).ToList();
        _rows.Clear();
        AppendArrayInsert(values => batch.P(values), batch.Text, shape, rows);
        var table = StoreObjectIdentifier.Table(key[0].Property.DeclaringType.GetTableName()!, key[0].Property.DeclaringType.GetSchema());
        batch.Text.Append(" ON CONFLICT DO NOTHING RETURNING ").Append(string.Join(", ", key.Select(k => "\"" + k.Property.GetColumnName(table) + "\""))).Append(";\n");
        return async (reader, ct) =>
        {
            var written = new HashSet<string>(StringComparer.Ordinal);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
                written.Add(KeyText(Enumerable.Range(0, key.Length).Select(reader.GetValue)));
            var inserted = new bool[rows.Count];
            for (var r = 0; r < rows.Count; r++)
                inserted[r] = written.Remove(KeyText(key.Select(k => Stored(k.Property.GetGetter().GetClrValue(rows[r]), k.Mapping))));
            return inserted;
        };
    }

    /// <summary>The queued rows are of one type whose primary key is its only unique key: a claim of them goes from arrays.</summary>
    private bool ClaimableByArrays => _rows.All(r => ReferenceEquals(r.Shape, _rows[0].Shape)) && _rows[0].Shape.ConflictKey is not null;

    private static string KeyText(IEnumerable<object?> values) =>
        string.Join('\u0001', values.Select(v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>A command in the caller's transaction (its connection); none → <paramref name="what"/> refused.</summary>
    private DbCommand CommandInCallersTransaction(string what)
    {
        var tx = db.Database.CurrentTransaction?.GetDbTransaction()
                 ?? throw new InvalidOperationException(what + " in the caller's transaction");
        var cmd = tx.Connection!.CreateCommand();
        cmd.Transaction = tx;
        return cmd;
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

    private static readonly ConcurrentDictionary<(IModel, Type, bool), Shape> Shapes = new();

    private Shape ShapeOf(Type type) => Shapes.GetOrAdd((db.Model, type, false), static k => Shape.Build(k.Item1, k.Item2, includeKey: false));

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
        /// <summary><c>?, ?, …</c>: one row's values, bound by position (SQLite, <see cref="RowByRow"/>).</summary>
        public string RowValues => _values ??= string.Join(", ", Enumerable.Repeat("?", Columns.Length));
        private string? _values;
        /// <summary>The primary key's columns when the rows carry it and it is the type's only unique key; else null.</summary>
        public (IProperty Property, RelationalTypeMapping Mapping)[]? ConflictKey { get; init; }

        /// <summary><paramref name="includeKey"/>: the generated key is written as a column (the caller set it), nothing returned.</summary>
        public static Shape Build(IModel model, Type type, bool includeKey)
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
                if (p == key)
                {
                    if (includeKey) columns.Add((p, p.GetRelationalTypeMapping()));
                    continue;
                }
                if (p.ValueGenerated != ValueGenerated.Never || p.IsShadowProperty() || p.IsConcurrencyToken)
                    throw new NotSupportedException($"{type.Name}.{p.Name}: generated, shadow or concurrency-token columns are not supported");
                columns.Add((p, p.GetRelationalTypeMapping()));
            }
            var q = (string n) => "\"" + n + "\"";
            var insert = $"INSERT INTO {q(table.Name)} ({string.Join(", ", columns.Select(c => q(c.Item1.GetColumnName(table)!)))})";
            var head = insert + " VALUES (";
            var onlyUniqueKey = !entityType.GetIndexes().Any(i => i.IsUnique) && !entityType.GetKeys().Any(k => !k.IsPrimaryKey());
            var conflictKey = key is null && onlyUniqueKey ? keys.Select(p => (p, p.GetRelationalTypeMapping())).ToArray() : null;
            if (key is null || includeKey)
                return new Shape { Head = head, Insert = insert, Tail = ");\n", Columns = [.. columns], SetKey = null, ConflictKey = conflictKey };
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
