using System.Buffers;
using System.Buffers.Binary;
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
        return text is not null && TryParse(text.AsSpan(), out id);
    }

    /// <summary>The same, over characters that need not be a string.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out LoginId id)
    {
        id = default;
        Span<byte> bytes = stackalloc byte[Length / 2];
        // Convert.FromHexString takes either case; a login id is lowercase only.
        if (text.Length != Length || text.ContainsAnyInRange('A', 'F') || Convert.FromHexString(text, bytes, out _, out _) != OperationStatus.Done)
            return false;
        id = FromBytes(bytes);
        return true;
    }

    /// <summary>The same, over UTF-8 text: a claim read straight from a token, on every JWT request.</summary>
    public static bool TryParseUtf8(ReadOnlySpan<byte> text, out LoginId id)
    {
        id = default;
        Span<byte> bytes = stackalloc byte[Length / 2];
        if (text.Length != Length || text.ContainsAnyInRange((byte)'A', (byte)'F') || Convert.FromHexString(text, bytes, out _, out _) != OperationStatus.Done)
            return false;
        id = FromBytes(bytes);
        return true;
    }

    /// <summary>The 14 bytes the 28 digits stand for: 8 of High, then the 6 of Low.</summary>
    private static LoginId FromBytes(ReadOnlySpan<byte> bytes)
        => new(BinaryPrimitives.ReadUInt64BigEndian(bytes), ((ulong)BinaryPrimitives.ReadUInt32BigEndian(bytes[8..]) << 16) | BinaryPrimitives.ReadUInt16BigEndian(bytes[12..]));

    public override string ToString() => High.ToString("x16", CultureInfo.InvariantCulture) + Low.ToString("x12", CultureInfo.InvariantCulture);
}
