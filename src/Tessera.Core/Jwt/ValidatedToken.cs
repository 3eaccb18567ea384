using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Tessera.Core.Revocation;

namespace Tessera.Core.Jwt;

/// <summary>
/// A token whose signature, header and registered claims have been checked. What a caller may rely
/// on is typed here; everything else (custom claims, for <c>/api/token-info/</c> and for copying
/// into new tokens) is in <see cref="Payload"/>.
/// </summary>
/// <remarks>
/// Validation keeps only the claims typed here, because most requests need nothing else, and a
/// validated token may be remembered (<see cref="ValidatedTokenCache"/>). The token's characters
/// are kept (they cost nothing: the caller has them, in the token string or the header it came in), and
/// <see cref="Payload"/>, <see cref="Jti"/> and <see cref="LoginId"/> parse its payload again the first
/// time one of them is asked for; that parse is cached and safe to race.
/// </remarks>
public sealed class ValidatedToken
{
    private readonly ReadOnlyMemory<char> _token;
    private readonly Range _payloadSegment;
    private StrongBox<JsonElement>? _payload;
    private string? _jti;

    internal ValidatedToken(
        TokenKind kind,
        long? userId,
        bool userIdUnrepresentable,
        long exp,
        long? iat,
        long? refreshExp,
        long? epoch,
        LoginId? login,
        ReadOnlyMemory<char> token,
        Range payloadSegment)
    {
        Kind = kind;
        UserId = userId;
        UserIdUnrepresentable = userIdUnrepresentable;
        Exp = exp;
        Iat = iat;
        RefreshExp = refreshExp;
        Epoch = epoch;
        Login = login;
        _token = token;
        _payloadSegment = payloadSegment;
    }

    public TokenKind Kind { get; }

    /// <summary>The key that verified the signature, and the set it was in then: <see cref="ValidatedTokenCache"/> forgets the token when the key leaves the ring.</summary>
    internal JwsSigningKey? VerifiedBy { get; init; }

    internal JwsKeySet? KeySet { get; init; }

    /// <summary>The token as it was presented, for <see cref="ValidatedTokenCache"/>'s comparison.</summary>
    internal ReadOnlySpan<char> Text => _token.Span;

    /// <summary>
    /// <c>user_id</c> as an integer: a JSON integer, or a string of one (SimpleJWT 5.5 sends
    /// <c>"42"</c>). Null when the claim is absent or <see cref="UserIdUnrepresentable"/>.
    /// </summary>
    public long? UserId { get; }

    /// <summary>
    /// <c>user_id</c> is present but names no possible user: null, a float, a bool, a non-numeric
    /// string, or an integer beyond <see cref="long"/>. SimpleJWT answers "User not found" then,
    /// whereas an absent claim is "Token contained no recognizable user identification".
    /// </summary>
    public bool UserIdUnrepresentable { get; }

    /// <summary><c>jti</c>; SimpleJWT requires it of every token it accepts, so it is set on valid tokens.</summary>
    public string? Jti => _jti ??= Payload.GetProperty("jti"u8).GetString();

    /// <summary><c>exp</c> in unix seconds, truncated and clamped to year 1..9999.</summary>
    public long Exp { get; }

    /// <summary><c>iat</c> in unix seconds (truncated, clamped), if present.</summary>
    public long? Iat { get; }

    /// <summary><c>refresh_exp</c> (sliding tokens) in unix seconds, if present and numeric.</summary>
    public long? RefreshExp { get; }

    public DateTimeOffset ExpiresAt => DateTimeOffset.FromUnixTimeSeconds(Exp);

    public DateTimeOffset? IssuedAt => Iat is { } iat ? DateTimeOffset.FromUnixTimeSeconds(iat) : null;

    /// <summary>Tessera's login id (claim <c>lid</c>), when the token has a string one; foreign tokens have none.</summary>
    public string? LoginId => Payload.TryGetProperty(TokenIssuer.LoginIdClaim, out var lid) && lid.ValueKind == JsonValueKind.String
        ? lid.GetString()
        : null;

    /// <summary>
    /// <see cref="LoginId"/> parsed, when it is in <see cref="Revocation.LoginId"/>'s form (our tokens);
    /// null otherwise. Read during validation, so the per-request path needs no string.
    /// </summary>
    public LoginId? Login { get; }

    /// <summary>
    /// Tessera's revocation epoch of the login (claim <c>epoch</c>); null when absent (foreign tokens,
    /// tokens from before epochs). A claim that is there but no integer reads as an epoch no user is
    /// ever at, so such a token is refused rather than taken for one without the claim.
    /// </summary>
    public long? Epoch { get; }

    /// <summary>
    /// The whole payload object. It owns its memory (no disposal, safe to keep), has no duplicate
    /// members, and every string in it reads as a valid string. Parsed on first use.
    /// </summary>
    public JsonElement Payload => (_payload ?? ParsePayload()).Value;

    private StrongBox<JsonElement> ParsePayload()
    {
        ReadOnlySpan<char> encoded = _token.Span[_payloadSegment];
        byte[] json = ArrayPool<byte>.Shared.Rent(StrictBase64Url.DecodedLength(encoded.Length));
        try
        {
            // The same text that validation accepted, so this cannot fail short of a bug.
            if (!StrictBase64Url.TryDecode(encoded, json, out int written) || !JwsCodec.TryParseStrict(json.AsSpan(0, written), out JsonElement payload))
            {
                throw new InvalidOperationException("The payload of a validated token no longer parses.");
            }

            // Two threads may both parse; the first to publish wins and the other's copy is dropped.
            var box = new StrongBox<JsonElement>(payload);
            return Interlocked.CompareExchange(ref _payload, box, null) ?? box;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(json);
        }
    }
}
