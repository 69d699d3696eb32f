using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Oms.Integration;

namespace Oms.Simulators.Shop;

/// <summary>
/// The two per-request costs of a load client, done without intermediate strings: the §1 signature of a
/// flat form and its <c>application/x-www-form-urlencoded</c> body. Both give exactly what
/// <see cref="MatrixSignature"/> and <see cref="FormUrlEncodedContent"/> give (the tests compare).
/// </summary>
public static class FormCodec
{
    /// <summary>
    /// PROTOCOL.md §1 over flat string fields. With ASCII keys (all of ours) UTF-16 ordinal order is the
    /// UTF-8 byte order, so the keys are sorted ordinally and hashed as a stream; other keys go through
    /// <see cref="MatrixSignature.Sign(IEnumerable{KeyValuePair{string, string}}, string)"/>.
    /// </summary>
    public static string Sign(IReadOnlyDictionary<string, string> form, string token)
    {
        ArgumentNullException.ThrowIfNull(form);
        ArgumentNullException.ThrowIfNull(token);
        var keys = ArrayPool<string>.Shared.Rent(form.Count);
        try
        {
            var n = 0;
            foreach (var (k, _) in form)
            {
                if (k == "sign") continue;
                if (!Ascii.IsValid(k)) return SlowSign(form, token);
                keys[n++] = k;
            }
            Array.Sort(keys, 0, n, StringComparer.Ordinal);
            using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
            var buffer = ArrayPool<byte>.Shared.Rent(4096);
            try
            {
                for (var i = 0; i < n; i++)
                {
                    var value = form[keys[i]];
                    if (value is null) continue;
                    AppendUtf8(md5, keys[i], ref buffer);
                    AppendUtf8(md5, value, ref buffer);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
            Span<byte> inner = stackalloc byte[16];
            md5.GetHashAndReset(inner);
            var innerHex = Convert.ToHexString(inner);
            Span<byte> outer = stackalloc byte[16];
            var tail = Encoding.UTF8.GetBytes(innerHex + token);
            MD5.HashData(tail, outer);
            return Convert.ToHexString(outer);
        }
        finally
        {
            ArrayPool<string>.Shared.Return(keys, clearArray: true);
        }
    }

    private static string SlowSign(IReadOnlyDictionary<string, string> form, string token)
    {
        var fields = new KeyValuePair<string, string?>[form.Count];
        var i = 0;
        foreach (var (k, v) in form) fields[i++] = new(k, v);
        return MatrixSignature.Sign(fields, token);
    }

    private static void AppendUtf8(IncrementalHash hash, string s, ref byte[] buffer)
    {
        var max = Encoding.UTF8.GetMaxByteCount(s.Length);
        if (max > buffer.Length)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = ArrayPool<byte>.Shared.Rent(max);
        }
        var len = Encoding.UTF8.GetBytes(s, buffer);
        hash.AppendData(buffer, 0, len);
    }

    /// <summary>The form as <c>application/x-www-form-urlencoded</c> UTF-8 bytes (space as <c>+</c>, like <see cref="FormUrlEncodedContent"/>).</summary>
    public static byte[] Encode(IReadOnlyDictionary<string, string> form)
    {
        ArgumentNullException.ThrowIfNull(form);
        var writer = new ArrayBufferWriter<byte>(8192);
        var first = true;
        foreach (var (k, v) in form)
        {
            if (!first) writer.Write("&"u8);
            first = false;
            Escape(writer, k);
            writer.Write("="u8);
            Escape(writer, v ?? "");
        }
        return writer.WrittenSpan.ToArray();
    }

    private static readonly byte[] Hex = "0123456789ABCDEF"u8.ToArray();

    private static void Escape(ArrayBufferWriter<byte> writer, string s)
    {
        var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(s.Length));
        try
        {
            var len = Encoding.UTF8.GetBytes(s, bytes);
            var span = writer.GetSpan(len * 3);
            var o = 0;
            for (var i = 0; i < len; i++)
            {
                var b = bytes[i];
                // RFC 3986 unreserved characters stay, as Uri.EscapeDataString leaves them
                if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b is (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
                    span[o++] = b;
                else if (b == ' ')
                    span[o++] = (byte)'+';
                else
                {
                    span[o++] = (byte)'%';
                    span[o++] = Hex[b >> 4];
                    span[o++] = Hex[b & 0xF];
                }
            }
            writer.Advance(o);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }
}
