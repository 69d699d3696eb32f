using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Oms.Outbox;

/// <summary>
/// What the API log stores: parameters with secrets replaced by <c>***</c> (at any depth, also
/// inside fields that carry JSON text), answers cut to a few KB.
/// <para>
/// Streaming, no document tree: a field whose text is JSON is scanned once; when it holds no secret (the common case: an
/// order's objects and items) it is kept exactly as sent, else it is written again with every secret's value masked (a
/// secret key's <c>null</c> stays <c>null</c>) and nested JSON text masked the same way. Text that only looks like JSON
/// is kept as it is.
/// </para>
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

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static bool IsSecret(string key) =>
        ExactKeys.Contains(key) || KeyParts.Any(p => key.Contains(p, StringComparison.OrdinalIgnoreCase));

    /// <summary>Flat form fields (inbound) as a masked JSON object (a key given twice: its last value, at its first place).</summary>
    public static string MaskForm(IEnumerable<KeyValuePair<string, string>> form)
    {
        ArgumentNullException.ThrowIfNull(form);
        var fields = form as IReadOnlyCollection<KeyValuePair<string, string>> ?? form.ToList();
        var keys = new HashSet<string>(fields.Count, StringComparer.Ordinal);
        var unique = fields.All(f => keys.Add(f.Key));
        IEnumerable<KeyValuePair<string, string>> ordered = unique ? fields : LastValueAtFirstPlace(fields);
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            foreach (var (k, v) in ordered)
            {
                w.WritePropertyName(k);
                if (IsSecret(k) && v is not null) w.WriteStringValue(Mask);
                else if (v is null) w.WriteNullValue();
                else w.WriteStringValue(MaskText(v));
            }
            w.WriteEndObject();
        }
        return Cut(Encoding.UTF8.GetString(buffer.WrittenSpan), MaxParameterChars);
    }

    public static string Response(string? text) => Cut(text ?? "", MaxResponseChars);

    public static string Cut(string text, int max) =>
        text.Length <= max ? text : string.Concat(text.AsSpan(0, max), "…(truncated)");

    private static IEnumerable<KeyValuePair<string, string>> LastValueAtFirstPlace(IEnumerable<KeyValuePair<string, string>> fields)
    {
        var order = new List<string>();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in fields)
        {
            if (!values.ContainsKey(k)) order.Add(k);
            values[k] = v;
        }
        return order.Select(k => new KeyValuePair<string, string>(k, values[k]));
    }

    /// <summary>A text value: unchanged unless it is JSON holding a secret (at any depth), then that JSON masked.</summary>
    private static string MaskText(string text)
    {
        if (text.AsSpan().TrimStart() is not ['{' or '[', ..]) return text;
        var utf8 = Encoding.UTF8.GetBytes(text);
        try
        {
            if (!NeedsMasking(utf8)) return text;
            var buffer = new ArrayBufferWriter<byte>(utf8.Length);
            using (var w = new Utf8JsonWriter(buffer, WriterOptions))
            {
                var reader = new Utf8JsonReader(utf8);
                CopyMasked(ref reader, w);
            }
            return Encoding.UTF8.GetString(buffer.WrittenSpan);
        }
        catch (JsonException)
        {
            return text;
        }
    }

    /// <summary>Whether the JSON has a secret key or a string that is itself JSON (checked when written); throws when it is not JSON.</summary>
    private static bool NeedsMasking(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && IsSecret(reader.GetString()!)) return true;
            if (reader.TokenType == JsonTokenType.String && LooksLikeJson(ref reader)) return true;
        }
        return false;
    }

    private static bool LooksLikeJson(ref Utf8JsonReader reader)
    {
        var raw = reader.ValueSpan;
        for (var i = 0; i < raw.Length; i++)
        {
            var b = raw[i];
            if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') continue;
            if (b == (byte)'\\' && reader.ValueIsEscaped) return reader.GetString()!.AsSpan().TrimStart() is ['{' or '[', ..];
            return b is (byte)'{' or (byte)'[';
        }
        return false;
    }

    /// <summary>Copies the whole JSON value from the reader to the writer, secrets masked, JSON text inside strings masked too.</summary>
    private static void CopyMasked(ref Utf8JsonReader reader, Utf8JsonWriter w)
    {
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject: w.WriteStartObject(); break;
                case JsonTokenType.EndObject: w.WriteEndObject(); break;
                case JsonTokenType.StartArray: w.WriteStartArray(); break;
                case JsonTokenType.EndArray: w.WriteEndArray(); break;
                case JsonTokenType.PropertyName:
                    var name = reader.GetString()!;
                    w.WritePropertyName(name);
                    if (IsSecret(name))
                    {
                        reader.Read();
                        if (reader.TokenType == JsonTokenType.Null) w.WriteNullValue();
                        else
                        {
                            reader.Skip();
                            w.WriteStringValue(Mask);
                        }
                    }
                    break;
                case JsonTokenType.String: w.WriteStringValue(MaskText(reader.GetString()!)); break;
                case JsonTokenType.Number: w.WriteRawValue(reader.ValueSpan, skipInputValidation: true); break;
                case JsonTokenType.True: w.WriteBooleanValue(true); break;
                case JsonTokenType.False: w.WriteBooleanValue(false); break;
                case JsonTokenType.Null: w.WriteNullValue(); break;
            }
        }
    }
}
