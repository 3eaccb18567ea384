using System.Text.Json;

namespace Tessera.Core.Jwt;

/// <summary>
/// A token whose signature, header and registered claims have been checked. What a caller may rely
/// on is typed here; everything else (custom claims, for <c>/api/token-info/</c> and for copying
/// into new tokens) is in <see cref="Payload"/>.
/// </summary>
public sealed class ValidatedToken
{
    internal ValidatedToken(
        TokenKind kind,
        long? userId,
        bool userIdUnrepresentable,
        string? jti,
        long exp,
        long? iat,
        long? refreshExp,
        JsonElement payload)
    {
        Kind = kind;
        UserId = userId;
        UserIdUnrepresentable = userIdUnrepresentable;
        Jti = jti;
        Exp = exp;
        Iat = iat;
        RefreshExp = refreshExp;
        Payload = payload;
    }

    public TokenKind Kind { get; }

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
    public string? Jti { get; }

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
    /// Tessera's revocation epoch of the login (claim <c>epoch</c>); null when absent (foreign tokens,
    /// tokens from before epochs). A claim that is there but no integer reads as an epoch no user is
    /// ever at, so such a token is refused rather than taken for one without the claim.
    /// </summary>
    public long? Epoch => Payload.TryGetProperty(TokenIssuer.EpochClaim, out var epoch)
        ? epoch.ValueKind == JsonValueKind.Number && epoch.TryGetInt64(out var value) ? value : long.MinValue
        : null;

    /// <summary>
    /// The whole payload object. It owns its memory (no disposal, safe to keep), has no duplicate
    /// members, and every string in it reads as a valid string.
    /// </summary>
    public JsonElement Payload { get; }
}
