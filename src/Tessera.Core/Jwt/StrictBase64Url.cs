using System.Buffers;
using System.Buffers.Text;

namespace Tessera.Core.Jwt;

/// <summary>
/// Base64url (RFC 4648 §5) as JWS uses it (RFC 7515 §2): no padding, no whitespace, and only the
/// canonical spelling of each byte string. The BCL decoders are lenient (padding, whitespace); each
/// leniency is a second string for the same token, which defeats anything keyed on the token text,
/// so <see cref="IsCanonical"/> refuses them all, and only text it accepts reaches the BCL's
/// (vectorized) <see cref="Base64Url"/> codec, which then has nothing left to be lenient about.
/// </summary>
internal static class StrictBase64Url
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    // A vectorized set lookup: the alphabet check of a whole token is a few tens of nanoseconds.
    private static readonly SearchValues<char> AlphabetValues = SearchValues.Create(Alphabet);

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
        if (DecodedLength(text.Length) < 0 || text.IndexOfAnyExcept(AlphabetValues) >= 0)
        {
            return false;
        }

        if (text.IsEmpty)
        {
            return true;
        }

        int last = Alphabet.IndexOf(text[^1]);
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

        return Base64Url.DecodeFromChars(text, destination, out _, out written) == OperationStatus.Done;
    }

    /// <summary>Encodes without padding; <paramref name="destination"/> must hold <see cref="EncodedLength"/> bytes.</summary>
    public static int Encode(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        OperationStatus status = Base64Url.EncodeToUtf8(data, destination, out _, out int written);
        if (status != OperationStatus.Done)
        {
            throw new ArgumentException("The destination is too small for the encoded data.", nameof(destination));
        }

        return written;
    }

    public static string Encode(ReadOnlySpan<byte> data) => Base64Url.EncodeToString(data);
}
