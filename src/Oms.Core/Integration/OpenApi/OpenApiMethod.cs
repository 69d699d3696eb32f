namespace Oms.Integration.OpenApi;

/// <summary>
/// One OpenAPI method (<c>class.action</c>). Implementations live in their business module,
/// parse parameters through <see cref="OpenApiRequest"/>, call the module's own service and
/// return the <c>response</c> payload. They are found by assembly scan and resolved per request.
/// </summary>
public interface IOpenApiMethod
{
    /// <summary>e.g. <c>shop.add</c>.</summary>
    string Name { get; }

    /// <summary>Read-only methods run without a write transaction (SQLite has one writer at a time).</summary>
    bool ReadOnly { get; }

    Task<object?> InvokeAsync(OpenApiRequest request, CancellationToken ct);
}

/// <summary>An OpenAPI error answer (<c>error_response</c>).</summary>
public sealed class OpenApiException(string code, string msg, string? subMsg = null) : Exception(subMsg ?? msg)
{
    public string Code { get; } = code;
    public string Msg { get; } = msg;
    public string? SubMsg { get; } = subMsg;

    public static OpenApiException MissingSystemParams(string names) => new("e000001", "system params missing", $"missing {names}");
    public static OpenApiException SignError(string why) => new("e000002", "sign error", why);
    public static OpenApiException UnknownMethod(string method) => new("e000003", "unknown class or method", $"method '{method}' does not exist");
    public static OpenApiException NoPermission(string method) => new("e000004", "no permission", $"this client may not call '{method}'");
    public static OpenApiException Params(string field, string why) => new("e000006", "application params error", $"{field}: {why}");
    public static OpenApiException TimestampOutOfWindow() => new("e000008", "timestamp out of window", "timestamp must be unix seconds within 3600 s of server time");
    public static OpenApiException Repeated() => new("e000009", "repeated request", "this signed request was already received");
    public static OpenApiException Business(string why) => new("e000010", "business rule refused", why);
}

/// <summary>The application parameters of one call, with typed readers that refuse bad input (e000006).</summary>
public sealed class OpenApiRequest(string method, OpenApiClient client, IReadOnlyDictionary<string, string> parameters)
    : FormParameters(parameters)
{
    public string Method { get; } = method;
    public OpenApiClient Client { get; } = client;

    /// <summary>The operator name recorded on documents and in the audit log.</summary>
    public string Actor => "openapi:" + Client.Flag;

    /// <summary>e000006 with <c>sub_msg</c> "field: why".</summary>
    protected override Exception Invalid(string field, string why) => OpenApiException.Params(field, why);

    /// <summary>Comma separated list; empty entries dropped.</summary>
    public IReadOnlyList<string> List(string name) =>
        Optional(name)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];

    /// <summary><c>page_no</c> (default 1) and <c>page_size</c> (default 100, at most <paramref name="maxPageSize"/>).</summary>
    public (int PageNo, int PageSize) Paging(int maxPageSize = 100)
    {
        var pageNo = OptionalInt("page_no", 1, 1_000_000) ?? 1;
        var pageSize = OptionalInt("page_size", 1, int.MaxValue) ?? Math.Min(100, maxPageSize);
        if (pageSize > maxPageSize) throw OpenApiException.Params("page_size", $"must not exceed {maxPageSize}");
        return (pageNo, pageSize);
    }
}

/// <summary>The answer shape of every list method: <c>{"lists":[...],"count":N}</c>.</summary>
public sealed record OpenApiList<T>(IReadOnlyList<T> Lists, long Count);
