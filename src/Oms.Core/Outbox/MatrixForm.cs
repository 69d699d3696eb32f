using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Oms.Common;
using Oms.Integration;

namespace Oms.Outbox;

/// <summary>
/// Builds the form of an outbound matrix request (PROTOCOL.md §3) and its signature (§1).
/// The signature is computed over the structure (nested maps and lists assembled recursively,
/// numbers as PHP <c>strval</c>, booleans 1/0, nulls skipped), as the reference implementation
/// signs its parameter array; on the wire every field is a flat string, nested values as compact
/// JSON. A receiver therefore decodes JSON-valued fields back into structures before it checks
/// the sign (what the test peer does).
/// </summary>
public static class MatrixForm
{
    public const string AppId = "ecos.ome";

    /// <summary>Compact JSON that keeps Chinese text readable.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The signed form: system parameters, then the request's parameters, then <c>sign</c>.</summary>
    public static Dictionary<string, string> Build(MatrixPeer peer, string fromNodeId, string method, string task,
        string? callbackUrl, DateTime dateUtc, JsonObject parameters)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(parameters);
        var all = new JsonObject
        {
            ["app_id"] = AppId,
            ["method"] = method,
            ["date"] = ChinaTime.ToText(dateUtc),
            ["format"] = "json",
            ["v"] = "1",
            ["from_node_id"] = fromNodeId,
            ["to_node_id"] = peer.NodeId,
            ["node_type"] = peer.NodeType,
            ["task"] = task,
        };
        if (!string.IsNullOrEmpty(callbackUrl)) all["callback_url"] = callbackUrl;
        foreach (var (key, value) in parameters)
            if (!all.ContainsKey(key)) all[key] = AsStructure(value?.DeepClone());

        var element = JsonSerializer.SerializeToElement(all);
        var form = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in element.EnumerateObject())
        {
            var text = FieldText(p.Value);
            if (text is not null) form[p.Name] = text;
        }
        form["sign"] = MatrixSignature.Sign(element, peer.Token);
        return form;
    }

    /// <summary>
    /// A string parameter that already holds a JSON object or list is signed as that structure:
    /// the receiver cannot tell it from a structure sent by us, so both sides must sign it alike.
    /// </summary>
    private static JsonNode? AsStructure(JsonNode? value)
    {
        if (value is JsonValue v && v.TryGetValue<string>(out var s) && LooksLikeJson(s))
        {
            try { return JsonNode.Parse(s) ?? value; }
            catch (JsonException) { return value; }
        }
        return value;
    }

    private static bool LooksLikeJson(string s)
    {
        var t = s.TrimStart();
        return t.StartsWith('{') || t.StartsWith('[');
    }

    /// <summary>A field as it travels: strings as they are, numbers as PHP writes them, booleans 1/0, structures as JSON; null is left out.</summary>
    private static string? FieldText(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.String => v.GetString(),
        JsonValueKind.True => "1",
        JsonValueKind.False => "0",
        JsonValueKind.Number => v.TryGetInt64(out var l) ? l.ToString(CultureInfo.InvariantCulture)
            : v.GetDecimal().ToString("0.############################", CultureInfo.InvariantCulture),
        _ => JsonSerializer.Serialize(v, JsonOptions),
    };

    /// <summary>
    /// The receiver's view: a form whose JSON-valued fields (objects and lists) are decoded back
    /// into structures, as a JSON object to check with <see cref="MatrixSignature.Sign(JsonElement, string)"/>.
    /// </summary>
    public static JsonElement Decode(IEnumerable<KeyValuePair<string, string>> form)
    {
        ArgumentNullException.ThrowIfNull(form);
        var obj = new JsonObject();
        foreach (var (key, value) in form)
        {
            JsonNode? node = value;
            if (LooksLikeJson(value))
            {
                try { node = JsonNode.Parse(value) ?? node; }
                catch (JsonException) { node = value; }
            }
            obj[key] = node;
        }
        return JsonSerializer.SerializeToElement(obj);
    }
}
