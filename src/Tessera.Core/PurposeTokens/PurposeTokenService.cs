using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Tessera.Core.Jwt;
using Tessera.Core.Users;

namespace Tessera.Core.PurposeTokens;

/// <summary>
/// Password-reset and email-verification tokens, stateless and single use: a token is
/// <c>&lt;tag&gt;.&lt;user id and expiry&gt;.&lt;MAC&gt;</c> (base64url), where the MAC is an HMAC-SHA256,
/// under a key of its purpose's own, over the purpose, the user id, the expiry and the part of the
/// user's state that using it changes:
/// <list type="bullet">
/// <item>password reset: the password hash, the revocation epoch and the email, so the token dies
/// when the password changes — its own use first of all — with revoke-all or deactivation, and
/// when the email changes (as Django's do: a link mailed to an old address stops working);</item>
/// <item>email verification: the email and whether it is verified, so it dies when it is used and
/// when the email changes.</item>
/// </list>
/// So nothing is stored per token and no table of used tokens grows. The keys are derived (HKDF) from
/// one secret of the deployment's configuration, so every instance accepts every instance's tokens;
/// a token is never a bearer credential (it is no JWS, and no scheme knows its tag). MACs are compared
/// in constant time. Thread-safe.
/// </summary>
public sealed class PurposeTokenService
{
    /// <summary>Bytes of the secret the keys are derived from, at the least.</summary>
    public const int MinimumSecretBytes = 32;

    private const int PayloadBytes = 16; // user id, expiry (unix seconds): two big-endian int64
    private const int MacBytes = 32;
    private static readonly int PayloadChars = StrictBase64Url.EncodedLength(PayloadBytes);
    private static readonly int MacChars = StrictBase64Url.EncodedLength(MacBytes);

    private readonly byte[] _resetKey;
    private readonly byte[] _verificationKey;
    private readonly TimeProvider _time;

    /// <param name="secret">The deployment's secret (the same on every instance), at least 32 bytes.</param>
    public PurposeTokenService(ReadOnlySpan<byte> secret, TimeProvider time)
    {
        if (secret.Length < MinimumSecretBytes)
            throw new ArgumentException($"The purpose-token secret must be at least {MinimumSecretBytes} bytes.", nameof(secret));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _resetKey = DeriveKey(secret, TokenPurpose.PasswordReset);
        _verificationKey = DeriveKey(secret, TokenPurpose.EmailVerification);
    }

    /// <summary>A token for <paramref name="user"/>'s current state, valid for <paramref name="lifetime"/>.</summary>
    public string Issue(TokenPurpose purpose, User user, TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero);
        var expires = (_time.GetUtcNow() + lifetime).ToUnixTimeSeconds();
        Span<byte> payload = stackalloc byte[PayloadBytes];
        BinaryPrimitives.WriteInt64BigEndian(payload, user.Id);
        BinaryPrimitives.WriteInt64BigEndian(payload[8..], expires);
        Span<byte> mac = stackalloc byte[MacBytes];
        ComputeMac(purpose, user.Id, expires, user, mac);
        return string.Concat(Tag(purpose), ".", StrictBase64Url.Encode(payload), ".", StrictBase64Url.Encode(mac));
    }

    /// <summary>
    /// The user a well-formed, unexpired token of this purpose names, before its MAC is checked (that
    /// needs the user's current state: <see cref="IsValid"/>). False for anything else: another
    /// purpose's token, garbage, an expired token.
    /// </summary>
    public bool TryReadUserId(TokenPurpose purpose, string? token, out long userId)
    {
        userId = 0;
        if (!TryParse(purpose, token, out var id, out var expires, Span<byte>.Empty))
            return false;
        if (_time.GetUtcNow().ToUnixTimeSeconds() >= expires)
            return false;
        userId = id;
        return true;
    }

    /// <summary>
    /// Whether the token is of this purpose, unexpired, for this user, and made for the user's state
    /// as it is now (so not used yet, and not outdated by a change).
    /// </summary>
    public bool IsValid(TokenPurpose purpose, string? token, User user)
    {
        ArgumentNullException.ThrowIfNull(user);
        Span<byte> presented = stackalloc byte[MacBytes];
        if (!TryParse(purpose, token, out var id, out var expires, presented))
            return false;
        if (id != user.Id || _time.GetUtcNow().ToUnixTimeSeconds() >= expires)
            return false;
        Span<byte> expected = stackalloc byte[MacBytes];
        ComputeMac(purpose, id, expires, user, expected);
        return CryptographicOperations.FixedTimeEquals(presented, expected);
    }

    private static bool TryParse(TokenPurpose purpose, string? token, out long userId, out long expires, Span<byte> mac)
    {
        userId = expires = 0;
        var tag = Tag(purpose);
        if (token is null || token.Length != tag.Length + 1 + PayloadChars + 1 + MacChars
            || !token.StartsWith(tag, StringComparison.Ordinal) || token[tag.Length] != '.')
            return false;
        var rest = token.AsSpan(tag.Length + 1);
        if (rest[PayloadChars] != '.')
            return false;
        Span<byte> payload = stackalloc byte[PayloadBytes];
        Span<byte> macBuffer = stackalloc byte[MacBytes];
        var payloadText = rest[..PayloadChars];
        var macText = rest[(PayloadChars + 1)..];
        if (!StrictBase64Url.IsCanonical(payloadText) || !StrictBase64Url.TryDecode(payloadText, payload, out var written) || written != PayloadBytes)
            return false;
        if (!StrictBase64Url.IsCanonical(macText) || !StrictBase64Url.TryDecode(macText, macBuffer, out written) || written != MacBytes)
            return false;
        userId = BinaryPrimitives.ReadInt64BigEndian(payload);
        expires = BinaryPrimitives.ReadInt64BigEndian(payload[8..]);
        if (!mac.IsEmpty)
            macBuffer.CopyTo(mac);
        return userId > 0;
    }

    private void ComputeMac(TokenPurpose purpose, long userId, long expires, User user, Span<byte> destination)
    {
        // Length-prefixed fields: no two states write the same bytes.
        var input = new StringBuilder()
            .Append(Tag(purpose)).Append('\n')
            .Append(userId).Append('\n')
            .Append(expires).Append('\n');
        switch (purpose)
        {
            case TokenPurpose.PasswordReset:
                Field(input, user.PasswordHash);
                Field(input, user.RevocationEpoch.ToString(System.Globalization.CultureInfo.InvariantCulture));
                Field(input, user.Email);
                break;
            case TokenPurpose.EmailVerification:
                Field(input, user.Email);
                Field(input, user.EmailVerified ? "verified" : "unverified");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(purpose), purpose, null);
        }
        var key = purpose == TokenPurpose.PasswordReset ? _resetKey : _verificationKey;
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(input.ToString()), destination);
    }

    private static void Field(StringBuilder input, string value)
        => input.Append(value.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(':').Append(value).Append('\n');

    private static string Tag(TokenPurpose purpose) => purpose switch
    {
        TokenPurpose.PasswordReset => "rst",
        TokenPurpose.EmailVerification => "vfy",
        _ => throw new ArgumentOutOfRangeException(nameof(purpose), purpose, null),
    };

    // One key per purpose (HKDF-SHA256, RFC 5869), never the secret itself: the secret may be the JWT
    // signing key, and a MAC under it must never be mistaken for anything a JWT signs.
    private static byte[] DeriveKey(ReadOnlySpan<byte> secret, TokenPurpose purpose)
    {
        var key = new byte[32];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, key, salt: [], info: Encoding.ASCII.GetBytes($"tessera purpose token v1: {Tag(purpose)}"));
        return key;
    }
}
