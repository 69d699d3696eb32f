using System.Text.Json;
using System.Text.Json.Nodes;

namespace Oms.Outbox;

/// <summary>
/// What the API log stores: parameters with secrets replaced by <c>***</c> (at any depth, also
/// inside fields that carry JSON text), answers cut to a few KB.
/// </summary>
public static class ApiLogMasking
{
    public const string Mask = "***";
    public const int MaxResponseChars = 4096;
    public const int MaxParameterChars = 65536;

    private static readonly HashSet<string> ExactKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "sign", "token", "interfacekey", "password", "secret", "app_secret", "session",
    };

    private static readonly string[] KeyParts = ["token", "secret", "password", "session"];

    public static bool IsSecret(string key) =>
        ExactKeys.Contains(key) || KeyParts.Any(p => key.Contains(p, StringComparison.OrdinalIgnoreCase));

    /// <summary>Flat form fields (inbound) as a masked JSON object.</summary>
    public static string MaskForm(IEnumerable<KeyValuePair<string, string>> form)
    {
        ArgumentNullException.ThrowIfNull(form);
        var obj = new JsonObject();
        foreach (var (k, v) in form) obj[k] = v;
        return Cut(MaskNode(obj)!.ToJsonString(MatrixForm.JsonOptions), MaxParameterChars);
    }

    public static string Response(string? text) => Cut(text ?? "", MaxResponseChars);

    public static string Cut(string text, int max) =>
        text.Length <= max ? text : string.Concat(text.AsSpan(0, max), "…(truncated)");

    private static JsonNode? MaskNode(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var key in o.Select(p => p.Key).ToList())
                    o[key] = IsSecret(key) && o[key] is not null ? Mask : MaskNode(o[key]?.DeepClone());
                return o;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++) a[i] = MaskNode(a[i]?.DeepClone());
                return a;
            case JsonValue v when v.TryGetValue<string>(out var s) && s.TrimStart() is ['{' or '[', ..]:
                try
                {
                    var inner = JsonNode.Parse(s);
                    return inner is null ? v : MaskNode(inner)!.ToJsonString(MatrixForm.JsonOptions);
                }
                catch (JsonException)
                {
                    return v;
                }
            default:
                return node;
        }
    }
}
