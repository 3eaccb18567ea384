using System.Globalization;
using System.Security.Cryptography;

namespace Tessera.Core.Revocation;

/// <summary>
/// The id of one login (a token obtain, a registration, a sliding obtain), carried as the <c>lid</c>
/// claim by every token minted from it. 28 lowercase hex characters: the login's creation time in
/// unix milliseconds (12) then 64 random bits (16). The time orders a login against a user's
/// "revoke everything before" instant exactly, with no same-second ambiguity; 16 bytes in memory.
/// </summary>
public readonly record struct LoginId(ulong High, ulong Low)
{
    public const int Length = 28;

    /// <summary>When the login was made, in unix milliseconds.</summary>
    public long CreatedAtMs => (long)(High >> 16);

    public static LoginId New(long createdAtMs)
    {
        Span<byte> random = stackalloc byte[8];
        RandomNumberGenerator.Fill(random);
        var r = BitConverter.ToUInt64(random);
        // High: 48 bits of milliseconds, then the top 16 random bits; Low: the other 48 random bits.
        return new LoginId(((ulong)createdAtMs << 16) | (r >> 48), r & 0xFFFF_FFFF_FFFF);
    }

    public static bool TryParse(string? text, out LoginId id)
    {
        id = default;
        return text is not null && TryParse(text.AsSpan(), out id);
    }

    /// <summary>The same, over characters that need not be a string (a claim read straight from a token).</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out LoginId id)
    {
        // By hand rather than ulong.TryParse: lowercase only, and this runs on every JWT request.
        id = default;
        if (text.Length != Length || !TryParseHex(text[..16], out var high) || !TryParseHex(text[16..], out var low))
            return false;
        id = new LoginId(high, low);
        return true;
    }

    private static bool TryParseHex(ReadOnlySpan<char> digits, out ulong value)
    {
        value = 0;
        foreach (var c in digits)
        {
            int digit = c is >= '0' and <= '9' ? c - '0' : c is >= 'a' and <= 'f' ? c - 'a' + 10 : -1;
            if (digit < 0)
                return false;
            value = (value << 4) | (uint)digit;
        }
        return true;
    }

    public override string ToString() => High.ToString("x16", CultureInfo.InvariantCulture) + Low.ToString("x12", CultureInfo.InvariantCulture);
}
