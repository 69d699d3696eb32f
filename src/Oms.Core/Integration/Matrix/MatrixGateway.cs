using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Oms.Admin;
using Oms.Common;
using Oms.Data;
using Oms.Outbox;

namespace Oms.Integration.Matrix;

/// <summary>
/// The <c>/api</c> pipeline of PROTOCOL.md §2, independent of HTTP. Checks in order, the first failure
/// answering: node bound (4004), signature (4003), date window (4005), method known (4001), parameters
/// (4006), business rules (4007). Unexpected exceptions propagate; the endpoint answers 5000 and,
/// the transaction being rolled back, nothing is written.
/// <para>
/// De-duplication: after the signature passed, a non-empty <c>task</c> already answered for this node
/// within <see cref="TaskMemory"/> is answered with the stored first answer, before any other check.
/// Otherwise the key is claimed (inserted into <c>matrix_request</c>) first thing in the call's
/// transaction and the method runs under a savepoint: a refusal (4001/4006/4007) rolls back to the
/// savepoint, so the business change is undone but the refusal is remembered; success commits the
/// change and the answer together. A concurrent duplicate blocks on the key (PostgreSQL: the unique
/// index waits for the first transaction; SQLite: one writer at a time) and then finds it taken,
/// so only one executes. Not remembered: answers before the signature passed (4004, 4003), 4005
/// (a transport matter — the caller may retry the same task with a fresh date) and 5000 (transient;
/// nothing was written, so a retry runs again).
/// </para>
/// </summary>
public sealed partial class MatrixGateway(
    IServiceProvider services, OmsDbContext db, MatrixNodes nodes, SettingsService settings, TimeProvider clock,
    MatrixBatchWriter batches, IEnumerable<MatrixPayloadReader> payloadReaders, ILogger<MatrixGateway> logger)
{
    public static readonly TimeSpan TaskMemory = TimeSpan.FromHours(24);
    public const string SystemTokenSetting = "matrix.system_token";
    private const string MethodSavepoint = "matrix_method";

    public Task<MatrixReply> HandleAsync(IReadOnlyDictionary<string, string> form, CancellationToken ct) => HandleAsync(form, null, ct);

    /// <summary>
    /// The call; <paramref name="log"/> is its API log entry, which a batched call's transaction writes with the call (on
    /// SQLite, <see cref="MatrixBatchWriter"/>) — the caller posts it unless <see cref="MatrixCallLog.Written"/>.
    /// </summary>
    public async Task<MatrixReply> HandleAsync(IReadOnlyDictionary<string, string> form, MatrixCallLog? log, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(form);
        var nodeId = Value(form, "node_id");
        if (nodeId is null) return MatrixReply.Fail(MatrixCodes.NodeNotBound, "node_id is required");
        var node = nodeId.Length > MatrixRequestRecord.MaxNodeIdLength ? null : await nodes.ResolveAsync(nodeId, ct).ConfigureAwait(false);
        if (node is null) return MatrixReply.Fail(MatrixCodes.NodeNotBound, $"node_id {nodeId} is not bound");

        if (!await SignatureMatchesAsync(form, node, ct).ConfigureAwait(false))
            return MatrixReply.Fail(MatrixCodes.SignError, "sign error");

        var now = clock.GetUtcNow().UtcDateTime;
        var task = Value(form, "task");
        if (task is { Length: > MatrixRequestRecord.MaxTaskLength })
            return MatrixReply.Fail(MatrixCodes.InvalidParameters, $"task is longer than {MatrixRequestRecord.MaxTaskLength} characters");
        if (!MatrixDateWindow.Contains(form.GetValueOrDefault("date"), now))
        {
            // a late re-delivery of a task already answered gets that answer, not 4005
            if (task is not null && await FindAnswerAsync(node.NodeId, task, now, ct).ConfigureAwait(false) is { } stored)
                return stored;
            return MatrixReply.Fail(MatrixCodes.DateOutOfWindow,
                "date must be yyyy-MM-dd HH:mm:ss (China time) within 10 minutes of server time " + ChinaTime.ToText(now));
        }

        var methodName = Value(form, "method") ?? "";
        var request = new MatrixRequest(methodName, node, task, form);
        // group commit: the call is stored with others in one transaction and answered after its commit
        if (batches.Batches(methodName))
        {
            ReadAhead(request);
            return await batches.SubmitAsync(request, now, log, ct).ConfigureAwait(false);
        }
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(() => ExecuteAsync(request, now, reclaimed: false, ct)).ConfigureAwait(false);
    }

    /// <summary>A batched call's payload, read here on the caller's thread rather than by the batch's one writer (<see cref="MatrixPayloadReader"/>).</summary>
    private void ReadAhead(MatrixRequest request)
    {
        foreach (var reader in payloadReaders)
        {
            if (reader.Method != request.Method) continue;
            try
            {
                reader.Read(request);
            }
            catch (Exception e) when (e is ValidationException or DomainException)
            {
                // nothing kept: the method reads again in the batch and refuses the call there
            }
        }
    }

    private async Task<MatrixReply> ExecuteAsync(MatrixRequest request, DateTime now, bool reclaimed, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        // the call has its own savepoint around the method: EF's savepoint per SaveChanges would only
        // add two round trips to every save
        db.Database.AutoSavepointsEnabled = false;
        await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        if (request.Task is { } task)
        {
            var nodeId = request.Node.NodeId;
            var claim = Claim(request, task, now);
            try
            {
                // without change tracking: this insert is on every call's path
                await new RowInserter(db).Add(claim).ExecuteAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (UniqueViolation.Is(e))
            {
                // a repeat: the first call (perhaps a concurrent one, which has committed by now) answered it
                await tx.RollbackAsync(ct).ConfigureAwait(false);
                db.ChangeTracker.Clear();
                if (await FindAnswerAsync(nodeId, task, now, ct).ConfigureAwait(false) is { } stored) return stored;
                if (reclaimed) throw new InvalidOperationException($"task {task} of node {nodeId} was claimed but has no answer");
                // the row is past the 24 h memory: it no longer counts
                var cutoff = now - TaskMemory;
                await db.Set<MatrixRequestRecord>().Where(r => r.NodeId == nodeId && r.Task == task && r.CreatedAt < cutoff)
                    .ExecuteDeleteAsync(ct).ConfigureAwait(false);
                return await ExecuteAsync(request, now, reclaimed: true, ct).ConfigureAwait(false);
            }
            await tx.CreateSavepointAsync(MethodSavepoint, ct).ConfigureAwait(false);
        }

        var answer = await InvokeAsync(request, ct).ConfigureAwait(false);
        if (!answer.Ok)
        {
            db.ChangeTracker.Clear();
            if (request.Task is null)
            {
                await tx.RollbackAsync(ct).ConfigureAwait(false);
                return answer;
            }
            await tx.RollbackToSavepointAsync(MethodSavepoint, ct).ConfigureAwait(false);
        }
        if (request.Task is { } t)
        {
            var nodeId = request.Node.NodeId;
            var json = answer.Json;
            await db.Set<MatrixRequestRecord>().Where(r => r.NodeId == nodeId && r.Task == t)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Answer, json), ct).ConfigureAwait(false);
        }
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return answer;
    }

    private const string CallSavepoint = "matrix_call";
    private const string SetSavepoint = "matrix_set";

    /// <summary>
    /// The calls of a batch in the batch's open transaction (<see cref="MatrixBatchWriter"/>), answered in order. Calls of a
    /// method that can run set-wise (<see cref="IMatrixBatchMethod"/>, one or more of them) go together: their <c>task</c>
    /// keys claimed in one statement (a key already taken — a repeat — runs alone and finds the first answer), the method
    /// once for all, the answers stored in one command. Everything else, and every call the method hands back, runs alone
    /// afterwards (<see cref="ExecuteInBatchAsync"/>), in arrival order. When the set fails unexpectedly, it is undone (a
    /// savepoint) and each of its calls runs alone — so a set never answers differently from the calls one by one.
    /// <para>
    /// On PostgreSQL the API log entries of the calls a set answered (those with a <c>Log</c>) go in the set's last command
    /// too, instead of a transaction of the API log writer's own; <paramref name="logged"/> is set for them (committed with
    /// the batch). A set undone takes its entries with it: its calls then run alone and are logged the usual way.
    /// </para>
    /// </summary>
    internal async Task<MatrixReply[]> ExecuteManyInBatchAsync(IDbContextTransaction tx, IReadOnlyList<(MatrixRequest Request, DateTime Now, MatrixCallLog? Log)> calls,
        bool[] logged, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(calls);
        ArgumentNullException.ThrowIfNull(logged);
        var answers = new MatrixReply?[calls.Count];
        var claimed = new bool[calls.Count];
        var methods = services.GetRequiredService<NamedMethods<IMatrixMethod>>();
        foreach (var set in calls.Select((c, i) => (c.Request, c.Now, c.Log, Index: i)).GroupBy(c => c.Request.Method))
        {
            if (methods.Find(services, set.Key) is not IMatrixBatchMethod method) continue;
            db.ChangeTracker.Clear();
            db.Database.AutoSavepointsEnabled = false;
            // PostgreSQL: the savepoint goes in the set's first command (RunSetAsync)
            var members = set.ToList();
            if (!db.Database.IsNpgsql()) await tx.CreateSavepointAsync(SetSavepoint, ct).ConfigureAwait(false);
            try
            {
                await RunSetAsync(method, members, answers, claimed, logged, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                await tx.RollbackToSavepointAsync(SetSavepoint, ct).ConfigureAwait(false);
                foreach (var c in members) (answers[c.Index], claimed[c.Index], logged[c.Index]) = (null, false, false);
                LogSetFailed(logger, set.Key, members.Count, e);
            }
            finally
            {
                db.ChangeTracker.Clear();
            }
        }
        for (var i = 0; i < calls.Count; i++)
            answers[i] ??= await ExecuteInBatchAsync(tx, calls[i].Request, calls[i].Now, claimed[i], ct).ConfigureAwait(false);
        return answers!;
    }

    private async Task RunSetAsync(IMatrixBatchMethod method, List<(MatrixRequest Request, DateTime Now, MatrixCallLog? Log, int Index)> set,
        MatrixReply?[] answers, bool[] claimed, bool[] logged, CancellationToken ct)
    {
        var tasked = set.Where(c => c.Request.Task is not null).ToList();
        var claims = new RowInserter(db);
        foreach (var c in tasked)
            claims.Add(Claim(c.Request, c.Request.Task!, c.Now));
        bool[] won;
        object? prepared = null;
        if (db.Database.IsNpgsql())
        {
            // the set's first command: its savepoint, the claims, what the method reads and locks first. Ahead of them, for the
            // rest of the batch's transaction: the generic plan of every prepared statement — with array parameters PostgreSQL
            // otherwise keeps planning them anew on every execution (custom plans; ~20 % of its CPU at one order per batch),
            // and these statements (inserts from arrays, lookups by key) have one good plan whatever the values
            await using var first = new SqlBatch(db);
            first.Text.Append("SET LOCAL plan_cache_mode = force_generic_plan;\nSAVEPOINT ").Append(SetSavepoint).Append(";\n");
            var readClaims = claims.AppendSkippingConflicts(first);
            var readPrepared = await method.PrepareAsync(set.Select(c => c.Request).ToList(), first, ct).ConfigureAwait(false);
            won = [];
            if (readClaims is null && readPrepared is null)
            {
                await first.ExecuteAsync(ct).ConfigureAwait(false);
            }
            else
            {
                await using var reader = await first.ExecuteReaderAsync(ct).ConfigureAwait(false);
                if (readClaims is not null) won = await readClaims(reader, ct).ConfigureAwait(false);
                if (readPrepared is not null)
                {
                    if (readClaims is not null && !await reader.NextResultAsync(ct).ConfigureAwait(false))
                        throw new InvalidOperationException($"{method.Name}: the set's first command answered nothing for the method");
                    prepared = await readPrepared(reader, ct).ConfigureAwait(false);
                }
            }
        }
        else
        {
            won = await claims.ExecuteSkippingConflictsAsync(ct).ConfigureAwait(false);
        }
        var repeats = tasked.Where((_, n) => !won[n]).Select(c => c.Index).ToHashSet();
        var run = set.Where(c => !repeats.Contains(c.Index)).ToList();
        foreach (var c in run) claimed[c.Index] = c.Request.Task is not null;

        // the set's last command: the method's own last writes (PostgreSQL), then the answers
        await using var batch = new SqlBatch(db);
        var outcomes = await method.InvokeManyAsync(run.Select(c => c.Request).ToList(), prepared, batch, ct).ConfigureAwait(false);
        var stored = new List<(MatrixRequest Request, string Json)>();
        var entries = new List<ApiLogEntry>();
        for (var n = 0; n < run.Count; n++)
        {
            var o = outcomes[n];
            if (o.RunAlone) continue;
            var answer = o.Refusal is { } refusal ? Refusal(refusal) : MatrixReply.Succ(o.Data);
            answers[run[n].Index] = answer;
            if (run[n].Request.Task is not null) stored.Add((run[n].Request, answer.Json));
            if (batch.IsNpgsql && run[n].Log is { } log)
            {
                entries.Add(log.Entry(answer));
                logged[run[n].Index] = true;
            }
        }
        if (batch.IsNpgsql && stored.Count > 0)
        {
            // one statement for the set: the answers by (node, task), the claims' primary key
            batch.Text.Append("UPDATE matrix_request AS m SET answer = v.a FROM unnest(")
                .Append(batch.P(stored.Select(x => x.Request.Node.NodeId).ToArray())).Append("::text[], ")
                .Append(batch.P(stored.Select(x => x.Request.Task!).ToArray())).Append("::text[], ")
                .Append(batch.P(stored.Select(x => x.Json).ToArray())).Append("::text[]) AS v(n, t, a) WHERE m.node_id = v.n AND m.task = v.t;\n");
        }
        else
        {
            foreach (var (request, json) in stored)
                batch.Text.Append("UPDATE matrix_request SET answer = ").Append(batch.P(json)).Append(" WHERE node_id = ").Append(batch.P(request.Node.NodeId))
                    .Append(" AND task = ").Append(batch.P(request.Task)).Append(";\n");
        }
        if (entries.Count > 0) services.GetRequiredService<ApiLogWriter>().AppendInTransaction(db, batch, entries);
        await batch.ExecuteAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The claim of a call's <c>task</c> key: its row, answer empty until the call is answered in the same transaction.</summary>
    private static MatrixRequestRecord Claim(MatrixRequest request, string task, DateTime now) =>
        new() { NodeId = request.Node.NodeId, Task = task, Method = Cut(request.Method, 100), Answer = "", CreatedAt = now };

    /// <summary>
    /// One call inside a batch's open transaction (<see cref="MatrixBatchWriter"/>): the same steps as a
    /// call of its own — claim, method under a savepoint, answer stored — all under a savepoint of the
    /// call, so that a refusal, a repeat or an unexpected failure undoes this call only. Committing is the
    /// writer's; the answer is valid only once it has committed.
    /// </summary>
    internal async Task<MatrixReply> ExecuteInBatchAsync(IDbContextTransaction tx, MatrixRequest request, DateTime now, bool claimed, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        db.Database.AutoSavepointsEnabled = false;
        await tx.CreateSavepointAsync(CallSavepoint, ct).ConfigureAwait(false);
        try
        {
            if (request.Task is { } task)
            {
                var nodeId = request.Node.NodeId;
                // claimed already (by the set it was handed back from): the claim row stays as it is
                for (var reclaimed = false; !claimed; reclaimed = true)
                {
                    try
                    {
                        await new RowInserter(db).Add(Claim(request, task, now))
                            .ExecuteAsync(ct).ConfigureAwait(false);
                        break;
                    }
                    catch (Exception e) when (UniqueViolation.Is(e))
                    {
                        // a repeat: answered before (committed, or earlier in this batch)
                        await tx.RollbackToSavepointAsync(CallSavepoint, ct).ConfigureAwait(false);
                        if (await FindAnswerAsync(nodeId, task, now, ct).ConfigureAwait(false) is { } stored) return stored;
                        if (reclaimed) throw new InvalidOperationException($"task {task} of node {nodeId} was claimed but has no answer");
                        var cutoff = now - TaskMemory;
                        await db.Set<MatrixRequestRecord>().Where(r => r.NodeId == nodeId && r.Task == task && r.CreatedAt < cutoff)
                            .ExecuteDeleteAsync(ct).ConfigureAwait(false);
                    }
                }
                await tx.CreateSavepointAsync(MethodSavepoint, ct).ConfigureAwait(false);
            }
            var answer = await InvokeAsync(request, ct).ConfigureAwait(false);
            if (!answer.Ok)
            {
                db.ChangeTracker.Clear();
                await tx.RollbackToSavepointAsync(request.Task is null ? CallSavepoint : MethodSavepoint, ct).ConfigureAwait(false);
            }
            if (request.Task is { } t)
            {
                var nodeId = request.Node.NodeId;
                var json = answer.Json;
                await db.Set<MatrixRequestRecord>().Where(r => r.NodeId == nodeId && r.Task == t)
                    .ExecuteUpdateAsync(s => s.SetProperty(r => r.Answer, json), ct).ConfigureAwait(false);
            }
            return answer;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // as a call of its own would be: nothing of it is kept, the caller gets 5000 and may retry
            db.ChangeTracker.Clear();
            await tx.RollbackToSavepointAsync(CallSavepoint, ct).ConfigureAwait(false);
            if (claimed && request.Task is { } key)
            {
                // its claim was written before this call's savepoint: a retry must find the key free
                var nodeId = request.Node.NodeId;
                await db.Set<MatrixRequestRecord>().Where(r => r.NodeId == nodeId && r.Task == key).ExecuteDeleteAsync(ct).ConfigureAwait(false);
            }
            LogBatchedFailure(logger, request.Method, request.Node.NodeId, e);
            return MatrixReply.Fail(MatrixCodes.InternalError, "internal error: the request was not applied");
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>Method lookup, the method, and saving its changes; a refusal becomes its answer.</summary>
    private async Task<MatrixReply> InvokeAsync(MatrixRequest request, CancellationToken ct)
    {
        var method = services.GetRequiredService<NamedMethods<IMatrixMethod>>().Find(services, request.Method);
        if (method is null)
            return MatrixReply.Fail(MatrixCodes.UnknownMethod, request.Method.Length == 0 ? "method is required" : $"method {Cut(request.Method, 100)} does not exist");
        try
        {
            var data = await method.InvokeAsync(request, ct).ConfigureAwait(false);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            return MatrixReply.Succ(data);
        }
        catch (Exception e) when (e is ValidationException or DomainException)
        {
            return Refusal(e);
        }
        catch (DbUpdateException e) when (UniqueViolation.Is(e))
        {
            LogConflict(logger, request.Method, e);
            return MatrixReply.Fail(MatrixCodes.BusinessRefused, "a record with the same code already exists");
        }
    }

    /// <summary>A method's refusal as its answer: bad input 4006 (the message names the field), a business rule 4007.</summary>
    private static MatrixReply Refusal(Exception e) => e is ValidationException v
        ? MatrixReply.Fail(MatrixCodes.InvalidParameters, v.Message.Contains(v.Field, StringComparison.Ordinal) ? v.Message : $"{v.Field}: {v.Message}")
        : MatrixReply.Fail(MatrixCodes.BusinessRefused, e.Message);

    /// <summary>The node's own token, or the system token when set; an empty token never signs.</summary>
    private async Task<bool> SignatureMatchesAsync(IReadOnlyDictionary<string, string> form, MatrixNode node, CancellationToken ct)
    {
        var sign = form.GetValueOrDefault("sign");
        if (string.IsNullOrWhiteSpace(sign)) return false;
        var fields = form.Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value)).ToList();
        var ok = node.Token.Length > 0 && MatrixSignature.Matches(sign.Trim(), MatrixSignature.Sign(fields, node.Token));
        if (ok) return true;
        var system = await settings.GetTextAsync(SystemTokenSetting, ct).ConfigureAwait(false);
        return system.Length > 0 && MatrixSignature.Matches(sign.Trim(), MatrixSignature.Sign(fields, system));
    }

    private async Task<MatrixReply?> FindAnswerAsync(string nodeId, string task, DateTime now, CancellationToken ct)
    {
        var cutoff = now - TaskMemory;
        var json = await db.Set<MatrixRequestRecord>().AsNoTracking()
            .Where(r => r.NodeId == nodeId && r.Task == task && r.CreatedAt >= cutoff && r.Answer != "")
            .Select(r => r.Answer).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        return json is null ? null : MatrixReply.FromStored(json);
    }

    private static string? Value(IReadOnlyDictionary<string, string> form, string name) =>
        form.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

    private static string Cut(string s, int max) => s.Length <= max ? s : s[..max];

    [LoggerMessage(Level = LogLevel.Error, Message = "Matrix {Method} from node {NodeId} failed inside a batch; only this call was undone")]
    private static partial void LogBatchedFailure(ILogger logger, string method, string nodeId, Exception e);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Matrix {Method}: a set of {Count} calls failed inside a batch and was undone; each call runs alone")]
    private static partial void LogSetFailed(ILogger logger, string method, int count, Exception e);

    [LoggerMessage(Level = LogLevel.Information, Message = "Matrix {Method} refused: unique key conflict")]
    private static partial void LogConflict(ILogger logger, string method, Exception e);
}
