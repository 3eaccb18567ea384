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

    /// <summary>
    /// The login of a stored credential (session, DRF token, API key), made from its row alone — its
    /// creation time and the first 64 bits of its secret's SHA-256 — so that rows need no column for
    /// it, and rows minted before it existed have one too.
    /// </summary>
    public static LoginId OfStoredCredential(string keyHash, long createdAtSeconds)
    {
        ArgumentNullException.ThrowIfNull(keyHash);
        if (keyHash.Length < 16 || !ulong.TryParse(keyHash.AsSpan(0, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var r))
            throw new ArgumentException("Not a key hash.", nameof(keyHash));
        var createdAtMs = (ulong)Math.Max(0, createdAtSeconds) * 1000;
        return new LoginId((createdAtMs << 16) | (r >> 48), r & 0xFFFF_FFFF_FFFF);
    }

    public static bool TryParse(string? text, out LoginId id)
    {
        id = default;
        if (text is not { Length: Length }
            || !ulong.TryParse(text.AsSpan(0, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var high)
            || !ulong.TryParse(text.AsSpan(16, 12), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var low)
            || text.AsSpan().IndexOfAnyExcept("0123456789abcdef") >= 0)
            return false;
        id = new LoginId(high, low);
        return true;
    }

    public override string ToString() => High.ToString("x16", CultureInfo.InvariantCulture) + Low.ToString("x12", CultureInfo.InvariantCulture);
}
