namespace Tessera.Core.Jwt;

/// <summary>
/// Base64url (RFC 4648 §5) as JWS uses it (RFC 7515 §2): no padding, no whitespace, and only the
/// canonical spelling of each byte string. The BCL decoders are lenient (padding, whitespace,
/// non-zero trailing bits); each leniency is a second string for the same token, which defeats
/// anything keyed on the token text, so this decoder refuses them all.
/// </summary>
internal static class StrictBase64Url
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    // Value of each ASCII character in the alphabet, -1 for everything else.
    private static ReadOnlySpan<sbyte> Values =>
    [
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, -1,
        52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1, -1, -1, -1, -1,
        -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
        15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, 63,
        -1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
        41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, -1, -1, -1, -1, -1,
    ];

    /// <summary>Bytes that <paramref name="encodedLength"/> characters decode to, or -1 if no string has that length.</summary>
    public static int DecodedLength(int encodedLength)
    {
        int remainder = encodedLength % 4;
        if (remainder == 1)
        {
            return -1;
        }

        return (encodedLength / 4 * 3) + (remainder == 0 ? 0 : remainder - 1);
    }

    public static int EncodedLength(int byteCount) => ((byteCount * 4) + 2) / 3;

    /// <summary>
    /// True when every character is in the alphabet, the length is possible, and the unused low
    /// bits of the last character are zero.
    /// </summary>
    public static bool IsCanonical(ReadOnlySpan<char> text)
    {
        if (DecodedLength(text.Length) < 0)
        {
            return false;
        }

        int last = -1;
        foreach (char c in text)
        {
            last = ValueOf(c);
            if (last < 0)
            {
                return false;
            }
        }

        return (text.Length % 4) switch
        {
            2 => (last & 0x0F) == 0, // 12 bits carry 8: 4 spare
            3 => (last & 0x03) == 0, // 18 bits carry 16: 2 spare
            _ => true,
        };
    }

    /// <summary>
    /// Decodes canonical text into <paramref name="destination"/> (which must hold
    /// <see cref="DecodedLength"/> bytes). Returns false for anything non-canonical.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<char> text, Span<byte> destination, out int written)
    {
        written = 0;
        int length = DecodedLength(text.Length);
        if (length < 0 || destination.Length < length || !IsCanonical(text))
        {
            return false;
        }

        int i = 0;
        int o = 0;
        for (; i + 4 <= text.Length; i += 4)
        {
            int v = (ValueOf(text[i]) << 18) | (ValueOf(text[i + 1]) << 12) | (ValueOf(text[i + 2]) << 6) | ValueOf(text[i + 3]);
            destination[o++] = (byte)(v >> 16);
            destination[o++] = (byte)(v >> 8);
            destination[o++] = (byte)v;
        }

        int rest = text.Length - i;
        if (rest >= 2)
        {
            int v = (ValueOf(text[i]) << 18) | (ValueOf(text[i + 1]) << 12);
            if (rest == 3)
            {
                v |= ValueOf(text[i + 2]) << 6;
            }

            destination[o++] = (byte)(v >> 16);
            if (rest == 3)
            {
                destination[o++] = (byte)(v >> 8);
            }
        }

        written = o;
        return true;
    }

    /// <summary>Encodes without padding; <paramref name="destination"/> must hold <see cref="EncodedLength"/> bytes.</summary>
    public static int Encode(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        int o = 0;
        int i = 0;
        for (; i + 3 <= data.Length; i += 3)
        {
            int v = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
            destination[o++] = (byte)Alphabet[v >> 18];
            destination[o++] = (byte)Alphabet[(v >> 12) & 0x3F];
            destination[o++] = (byte)Alphabet[(v >> 6) & 0x3F];
            destination[o++] = (byte)Alphabet[v & 0x3F];
        }

        int rest = data.Length - i;
        if (rest > 0)
        {
            int v = data[i] << 16;
            if (rest == 2)
            {
                v |= data[i + 1] << 8;
            }

            destination[o++] = (byte)Alphabet[v >> 18];
            destination[o++] = (byte)Alphabet[(v >> 12) & 0x3F];
            if (rest == 2)
            {
                destination[o++] = (byte)Alphabet[(v >> 6) & 0x3F];
            }
        }

        return o;
    }

    public static string Encode(ReadOnlySpan<byte> data)
    {
        byte[] buffer = new byte[EncodedLength(data.Length)];
        int n = Encode(data, buffer);
        return System.Text.Encoding.ASCII.GetString(buffer, 0, n);
    }

    private static int ValueOf(char c) => c < 128 ? Values[c] : -1;
}
