namespace Oms.Integration.OpenApi;

/// <summary>A merchant system allowed to call <c>/openapi</c>: its flag, its key and its methods.</summary>
public class OpenApiClient
{
    public long Id { get; set; }
    public required string Flag { get; set; }
    public required string InterfaceKey { get; set; }
    public string? Name { get; set; }
    /// <summary>Allowed methods (<c>class.action</c>), or the single entry <c>all</c>.</summary>
    public List<string> Methods { get; set; } = [];
    public bool Disabled { get; set; }
    public DateTime CreatedAt { get; set; }

    public bool MayCall(string method) => Methods.Contains("all") || Methods.Contains(method);
}

/// <summary>A signature seen on <c>/openapi</c>; a second use within an hour is a replay (e000009).</summary>
public class OpenApiSeenRequest
{
    public required string Flag { get; set; }
    public required string Sign { get; set; }
    public DateTime SeenAt { get; set; }
}
