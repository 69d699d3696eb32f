using System.Security.Cryptography;
using System.Text;

namespace Oms.Integration.Qimen;

/// <summary>
/// The Qimen (奇门) 2.x md5 signature (PROTOCOL.md §4):
/// <c>UPPER(MD5_hex(secret + concat(sorted query k+v, without sign and empty values) + body + secret))</c>,
/// keys sorted ordinally (they are ASCII), UTF-8 bytes hashed. The body is the XML text exactly as sent.
/// </summary>
public static class QimenSignature
{
    /// <summary>The text that is hashed, for tests and diagnostics.</summary>
    public static string Assemble(IEnumerable<KeyValuePair<string, string?>> query, string? body, string secret)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(secret);
        var sb = new StringBuilder(512);
        sb.Append(secret);
        foreach (var (key, value) in query
                     .Where(p => p.Key != "sign" && !string.IsNullOrEmpty(p.Key) && !string.IsNullOrEmpty(p.Value))
                     .OrderBy(p => p.Key, StringComparer.Ordinal))
            sb.Append(key).Append(value);
        sb.Append(body).Append(secret);
        return sb.ToString();
    }

    /// <summary>The sign of a request (query parameters with or without <c>sign</c>, and its body).</summary>
    public static string Sign(IEnumerable<KeyValuePair<string, string?>> query, string? body, string secret) =>
        Convert.ToHexString(MD5.HashData(Encoding.UTF8.GetBytes(Assemble(query, body, secret))));

    /// <summary>Convenience overload for string-valued maps.</summary>
    public static string Sign(IReadOnlyDictionary<string, string> query, string? body, string secret)
    {
        ArgumentNullException.ThrowIfNull(query);
        return Sign(query.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value)), body, secret);
    }

    /// <summary>True when the query's own <c>sign</c> is the right one (constant-time, case-insensitive). An empty secret never verifies.</summary>
    public static bool Verify(IReadOnlyDictionary<string, string> query, string? body, string secret)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (string.IsNullOrEmpty(secret)) return false;
        return Matches(query.GetValueOrDefault("sign"), Sign(query, body, secret));
    }

    /// <summary>Constant-time, case-insensitive comparison of two hex signatures; empty never matches.</summary>
    public static bool Matches(string? given, string expected)
    {
        ArgumentNullException.ThrowIfNull(expected);
        if (string.IsNullOrEmpty(given)) return false;
        return CryptographicOperations.FixedTimeEquals(
            Encoding.UTF8.GetBytes(given.ToUpperInvariant()), Encoding.UTF8.GetBytes(expected.ToUpperInvariant()));
    }
}
