using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Oms.Integration;

/// <summary>
/// The signature shared by the matrix and the OpenAPI (PROTOCOL.md §1), byte-compatible with
/// ONEX OMS: keys sorted by their UTF-8 bytes (PHP <c>ksort SORT_STRING</c>), nested values
/// assembled recursively, nulls skipped, booleans as 1/0, then
/// <c>UPPER(MD5(UPPER(MD5(assembled)) + token))</c>.
/// </summary>
public static class MatrixSignature
{
    /// <summary>Signs flat form fields (the inbound case: every value is a string).</summary>
    public static string Sign(IEnumerable<KeyValuePair<string, string?>> fields, string token)
    {
        var sb = new StringBuilder(256);
        foreach (var (key, value) in fields.Where(f => f.Key != "sign").OrderBy(f => f.Key, Utf8Order.Instance))
        {
            if (value is null) continue;
            sb.Append(key).Append(value);
        }
        return Finish(sb.ToString(), token);
    }

    /// <summary>Signs a nested structure (the outbound case), as a JSON object.</summary>
    public static string Sign(JsonElement parameters, string token) => Finish(Assemble(parameters), token);

    /// <summary>The assembled string before hashing, for tests and diagnostics.</summary>
    public static string Assemble(JsonElement map)
    {
        var sb = new StringBuilder(256);
        AssembleInto(sb, map, skipSign: true);
        return sb.ToString();
    }

    public static string Assemble(IEnumerable<KeyValuePair<string, string?>> fields)
    {
        var sb = new StringBuilder(256);
        foreach (var (key, value) in fields.Where(f => f.Key != "sign").OrderBy(f => f.Key, Utf8Order.Instance))
            if (value is not null) sb.Append(key).Append(value);
        return sb.ToString();
    }

    private static void AssembleInto(StringBuilder sb, JsonElement value, bool skipSign)
    {
        IEnumerable<(string Key, JsonElement Value)> entries = value.ValueKind switch
        {
            JsonValueKind.Object => value.EnumerateObject().Select(p => (p.Name, p.Value)),
            JsonValueKind.Array => value.EnumerateArray().Select((e, i) => (i.ToString(CultureInfo.InvariantCulture), e)),
            _ => throw new ArgumentException("Only maps and lists are assembled.", nameof(value)),
        };
        foreach (var (key, v) in entries.OrderBy(e => e.Key, Utf8Order.Instance))
        {
            if (skipSign && key == "sign") continue;
            switch (v.ValueKind)
            {
                case JsonValueKind.Null or JsonValueKind.Undefined: continue;
                case JsonValueKind.True: sb.Append(key).Append('1'); break;
                case JsonValueKind.False: sb.Append(key).Append('0'); break;
                case JsonValueKind.Object or JsonValueKind.Array:
                    sb.Append(key);
                    AssembleInto(sb, v, skipSign: false);
                    break;
                case JsonValueKind.Number: sb.Append(key).Append(PhpNumber(v)); break;
                default: sb.Append(key).Append(v.GetString()); break;
            }
        }
    }

    /// <summary>PHP <c>strval</c>: integers plainly, decimals without exponent.</summary>
    private static string PhpNumber(JsonElement v) =>
        v.TryGetInt64(out var l) ? l.ToString(CultureInfo.InvariantCulture)
        : v.GetDecimal().ToString("0.############################", CultureInfo.InvariantCulture);

    private static string Finish(string assembled, string token)
    {
        var inner = Convert.ToHexString(MD5.HashData(Encoding.UTF8.GetBytes(assembled)));
        return Convert.ToHexString(MD5.HashData(Encoding.UTF8.GetBytes(inner + token)));
    }

    /// <summary>Constant-time, case-insensitive comparison of two hex signatures.</summary>
    public static bool Matches(string? given, string expected)
    {
        if (string.IsNullOrEmpty(given)) return false;
        var a = Encoding.ASCII.GetBytes(given.ToUpperInvariant());
        var b = Encoding.ASCII.GetBytes(expected.ToUpperInvariant());
        return CryptographicOperations.FixedTimeEquals(a, b);
    }

    /// <summary>Orders strings by their UTF-8 bytes, as PHP compares them.</summary>
    public sealed class Utf8Order : IComparer<string>
    {
        public static readonly Utf8Order Instance = new();

        public int Compare(string? x, string? y)
        {
            if (ReferenceEquals(x, y)) return 0;
            if (x is null) return -1;
            if (y is null) return 1;
            // UTF-8 byte order equals code point order; UTF-16 ordinal differs only for surrogates.
            var ex = x.EnumerateRunes().GetEnumerator();
            var ey = y.EnumerateRunes().GetEnumerator();
            while (true)
            {
                var hx = ex.MoveNext();
                var hy = ey.MoveNext();
                if (!hx || !hy) return hx == hy ? 0 : hx ? 1 : -1;
                var c = ex.Current.Value.CompareTo(ey.Current.Value);
                if (c != 0) return c;
            }
        }
    }
}
