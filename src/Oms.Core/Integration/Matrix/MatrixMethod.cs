using System.Text.Json;
using Oms.Common;
using Oms.Data;

namespace Oms.Integration.Matrix;

/// <summary>
/// One method of the matrix inbound API (<c>POST /api</c>, PROTOCOL.md §2), e.g. <c>ome.order.add</c>.
/// Implementations live in their business module, read parameters through <see cref="MatrixRequest"/>
/// (bad input → <see cref="ValidationException"/> → 4006), call the module's own service (a refusal →
/// <see cref="DomainException"/> → 4007) and return the answer's <c>data</c>. They are found by assembly
/// scan and resolved per request; the gateway runs each call in one transaction and saves the context.
/// </summary>
public interface IMatrixMethod
{
    /// <summary>The <c>method</c> system parameter this class answers.</summary>
    string Name { get; }

    /// <summary>Returns the <c>data</c> object of the success answer (null renders as <c>{}</c>).</summary>
    Task<object?> InvokeAsync(MatrixRequest request, CancellationToken ct);
}

/// <summary>
/// A method whose calls the group commit (<see cref="MatrixBatchWriter"/>) can run together, set-wise, in the batch's
/// transaction. For each call, in order: <see cref="MatrixBatchOutcome.Done"/> with the answer's <c>data</c>, a refusal
/// (<see cref="ValidationException"/> / <see cref="DomainException"/> as the outcome, having written nothing for that call),
/// or <see cref="MatrixBatchOutcome.Alone"/> — the call then runs on its own (<see cref="IMatrixMethod.InvokeAsync"/>) after
/// the set, in arrival order. An exception thrown undoes the whole set; every call then runs on its own.
/// <para>
/// On PostgreSQL a set costs three round trips and the commit. The first carries the set's savepoint, its claims and what
/// <see cref="PrepareAsync"/> appends for the method (locks, lookups, ids: for every call of the set, repeats included);
/// what its reading answers is handed to <see cref="InvokeManyAsync"/> as <c>prepared</c>. <c>writes</c> is the command that
/// ends the set: the gateway runs it right after the method, with the set's answers (and their API log entries) appended,
/// before any call handed back runs alone; a method appends its own last writes to it. Their failure, too, undoes the
/// whole set.
/// </para>
/// </summary>
internal interface IMatrixBatchMethod : IMatrixMethod
{
    /// <summary>
    /// Statements for the set's first command (appended to <paramref name="first"/>), and the reading of their result; null
    /// when there are none (the default, and always on SQLite).
    /// </summary>
    Task<ResultReader<object?>?> PrepareAsync(IReadOnlyList<MatrixRequest> requests, SqlBatch first, CancellationToken ct) =>
        Task.FromResult<ResultReader<object?>?>(null);

    Task<IReadOnlyList<MatrixBatchOutcome>> InvokeManyAsync(IReadOnlyList<MatrixRequest> requests, object? prepared, SqlBatch writes, CancellationToken ct);
}

/// <summary>
/// Reads the payload of a batched method's calls ahead: on each caller's thread, before the call queues for its batch
/// (<see cref="MatrixGateway"/>), so that the batch's one writer — on SQLite the one serial line of writes — finds it read
/// (<see cref="MatrixRequest.Payload{T}"/>) instead of parsing every call itself. A read that refuses keeps nothing: the
/// method reads again in the batch and refuses there, as it would have.
/// </summary>
/// <param name="Method">The <c>method</c> whose calls are read ahead.</param>
/// <param name="Read">Reads one call's payload through <see cref="MatrixRequest.Payload{T}"/>.</param>
public sealed record MatrixPayloadReader(string Method, Action<MatrixRequest> Read);

/// <summary>What <see cref="IMatrixBatchMethod.InvokeManyAsync"/> did with one call.</summary>
public readonly record struct MatrixBatchOutcome(bool RunAlone, object? Data, Exception? Refusal)
{
    public static MatrixBatchOutcome Done(object? data) => new(false, data, null);
    public static MatrixBatchOutcome Refused(Exception refusal) => new(false, null, refusal);
    public static readonly MatrixBatchOutcome Alone = new(true, null, null);
}

/// <summary>
/// One signed, in-window call: the resolved node (who is calling) and the form fields, with typed
/// readers that refuse bad input with a <see cref="ValidationException"/> naming the field. An empty
/// string counts as absent (PROTOCOL.md, introduction).
/// </summary>
public sealed class MatrixRequest(string method, MatrixNode node, string? task, IReadOnlyDictionary<string, string> parameters)
    : FormParameters(parameters)
{
    public string Method { get; } = method;

    /// <summary>The bound peer that signed the call (a shop now; a WMS channel later).</summary>
    public MatrixNode Node { get; } = node;

    /// <summary>The caller's request id; null when it sent none (then the call is not de-duplicated).</summary>
    public string? Task { get; } = task;

    /// <summary>The operator name recorded on documents and in the audit log.</summary>
    public string Actor => "matrix:" + Node.NodeId;

    /// <summary>The id of the calling shop; a <see cref="DomainException"/> (4007) when the node is not a shop.</summary>
    public long ShopId => Node.Kind == MatrixNodeKinds.Shop
        ? Node.Id
        : throw new DomainException($"method {Method} is for shops; node {Node.NodeId} is a {Node.Kind}");

    private object? _payload;

    /// <summary>
    /// The call's payload as <paramref name="read"/> reads it, read once: the first read is kept and answered from then on
    /// (<see cref="MatrixPayloadReader"/> reads it before the call queues). A read that throws keeps nothing.
    /// </summary>
    public T Payload<T>(Func<MatrixRequest, T> read) where T : class
    {
        ArgumentNullException.ThrowIfNull(read);
        if (_payload is T kept) return kept;
        var payload = read(this);
        _payload = payload;
        return payload;
    }

    /// <summary>4006 with a <c>msg</c> that names the field ("order_bn is required", "weight: 'x' is not ...").</summary>
    protected override Exception Invalid(string field, string why) =>
        new ValidationException(field, why.StartsWith('\'') ? $"{field}: {why}" : $"{field} {why}");

    /// <summary>A field carrying JSON text (e.g. <c>consignee</c>, <c>order_objects</c>), parsed; null when absent.</summary>
    public JsonElement? OptionalJson(string name, JsonValueKind? expected = null)
    {
        var v = Optional(name);
        if (v is null) return null;
        JsonElement e;
        try
        {
            using var doc = JsonDocument.Parse(v);
            e = doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw Invalid(name, "is not valid JSON");
        }
        if (expected is { } kind && e.ValueKind != kind)
            throw Invalid(name, $"must be a JSON {(kind == JsonValueKind.Array ? "array" : kind.ToString().ToLowerInvariant())}");
        return e;
    }

    public JsonElement RequiredJson(string name, JsonValueKind? expected = null) =>
        OptionalJson(name, expected) ?? throw Invalid(name, "is required");
}

/// <summary>
/// An answer decided by the pipeline itself (4001/4003/4004/4005/4006/5000). Methods throw
/// <see cref="ValidationException"/> or <see cref="DomainException"/> instead.
/// </summary>
public sealed class MatrixException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>The error codes of PROTOCOL.md §2.</summary>
public static class MatrixCodes
{
    public const string UnknownMethod = "4001";
    public const string SignError = "4003";
    public const string NodeNotBound = "4004";
    public const string DateOutOfWindow = "4005";
    public const string InvalidParameters = "4006";
    public const string BusinessRefused = "4007";
    public const string InternalError = "5000";
}
