using System.Buffers;
using System.Text.Json;

namespace Tessera.Core.Jwt;

/// <summary>
/// Validates a token as SimpleJWT 5.2.2 does (on top of PyJWT), in the same order, so the same
/// token gets the same message: the JWS (signature, header); then PyJWT's claim checks
/// <c>iat</c>, <c>nbf</c>, <c>exp</c>, <c>iss</c>, <c>aud</c>; then SimpleJWT's own: <c>exp</c>
/// present, <c>jti</c> present, <c>token_type</c>. Never throws for bad input. Thread-safe.
/// </summary>
public sealed class TokenValidator
{
    /// <summary>The longest jti accepted: the blacklist keys on it (SimpleJWT's column is varchar(255) too).</summary>
    public const int MaxJtiLength = 255;

    // Payloads up to this size are decoded on the stack; real ones are a few hundred bytes.
    private const int StackLimit = 1024;

    private readonly JwtOptions _options;
    private readonly JwsCodec _codec;

    public TokenValidator(JwtOptions options, JwsCodec codec)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(codec);
        _options = options;
        _codec = codec;
    }

    /// <summary>The codec (and through it the key ring) the signatures are checked with.</summary>
    internal JwsCodec Codec => _codec;

    /// <summary>
    /// Validates <paramref name="token"/> at <paramref name="now"/>. <paramref name="expected"/> is
    /// the one kind accepted here; null accepts any of our kinds (<c>/api/token/verify/</c>).
    /// </summary>
    public TokenValidationResult Validate(string? token, TokenKind? expected, DateTimeOffset now)
        => Validate(token, expected, now, checkExpiry: true);

    /// <summary>
    /// Everything <see cref="Validate(string?, TokenKind?, DateTimeOffset)"/> checks except whether
    /// <c>exp</c> has passed (it must still be present and numeric). For sliding refresh, where the
    /// caller then checks <see cref="IsRefreshExpired"/>.
    /// </summary>
    public TokenValidationResult ValidateIgnoringExpiry(string? token, TokenKind? expected, DateTimeOffset now)
        => Validate(token, expected, now, checkExpiry: false);

    public TokenValidationResult Validate(string? token, TokenKind? expected, DateTimeOffset now, bool checkExpiry)
        => Validate(token.AsMemory(), expected, now, checkExpiry);

    /// <summary>
    /// <see cref="Validate(string?, TokenKind?, DateTimeOffset)"/> of a token inside a longer string
    /// (the <c>Authorization</c> header after its keyword), so that the request path copies nothing.
    /// </summary>
    public TokenValidationResult Validate(ReadOnlyMemory<char> token, TokenKind? expected, DateTimeOffset now)
        => Validate(token, expected, now, checkExpiry: true);

    private TokenValidationResult Validate(ReadOnlyMemory<char> token, TokenKind? expected, DateTimeOffset now, bool checkExpiry)
    {
        JwsError jwsError = _codec.Verify(token.Span, out Range payloadSegment, out JwsSigningKey? verifiedBy, out JwsKeySet keySet);
        if (jwsError != JwsError.None)
        {
            return TokenValidationResult.Fail(TokenError.Invalid, jwsError);
        }

        // The signed payload is decoded onto the stack and its registered claims are read from the
        // codec's strict parse (PayloadClaims). ValidatedToken keeps the token string for the
        // custom claims, and parses them again only if they are asked for, so that a remembered
        // token (ValidatedTokenCache) holds no document.
        ReadOnlySpan<char> encodedPayload = token.Span[payloadSegment];
        int length = StrictBase64Url.DecodedLength(encodedPayload.Length);
        PayloadClaims claims;
        byte[]? rented = null;
        try
        {
            Span<byte> json = length <= StackLimit ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length));
            if (!StrictBase64Url.TryDecode(encodedPayload, json, out int written)
                || !PayloadClaims.TryRead(json[..written], _options.Issuer, _options.Audience, out claims))
            {
                return TokenValidationResult.Fail(TokenError.Invalid, JwsError.InvalidPayload);
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        Int128 nowTicks = NumericDate.UnixTicks(now);
        Int128 leewayTicks = _options.Leeway.Ticks;

        // PyJWT: iat must be a number and not in the future.
        long? iat = null;
        if (claims.Iat.Present)
        {
            if (!claims.Iat.IsNumber)
            {
                return TokenValidationResult.Fail(TokenError.Invalid);
            }

            double nowSeconds = (double)nowTicks / TimeSpan.TicksPerSecond;
            if (claims.Iat.Exact > nowSeconds + _options.Leeway.TotalSeconds)
            {
                return TokenValidationResult.Fail(TokenError.NotYetValid);
            }

            iat = claims.Iat.Seconds;
        }

        // PyJWT: int(nbf) > now + leeway is "not yet valid".
        if (claims.Nbf.Present)
        {
            if (!claims.Nbf.IsNumber)
            {
                return TokenValidationResult.Fail(TokenError.Invalid);
            }

            if (NumericDate.SecondsToTicks(claims.Nbf.Seconds) > nowTicks + leewayTicks)
            {
                return TokenValidationResult.Fail(TokenError.NotYetValid);
            }
        }

        // PyJWT: int(exp) <= now - leeway is expired, so a token dies at its exp second exactly.
        if (claims.Exp.Present)
        {
            if (!claims.Exp.IsNumber)
            {
                return TokenValidationResult.Fail(TokenError.Invalid);
            }

            if (checkExpiry && nowTicks >= NumericDate.SecondsToTicks(claims.Exp.Seconds) + leewayTicks)
            {
                return TokenValidationResult.Fail(TokenError.Expired);
            }
        }

        if (_options.Issuer is not null && !claims.IssMatches)
        {
            return TokenValidationResult.Fail(TokenError.Invalid);
        }

        if (!claims.AudAccepted)
        {
            return TokenValidationResult.Fail(TokenError.Invalid);
        }

        // SimpleJWT's Token.verify(): exp required ("no zombie tokens"), then jti, then type.
        if (!claims.Exp.Present)
        {
            return TokenValidationResult.Fail(TokenError.NoExpiration);
        }

        // SimpleJWT only asks that jti exist; we also need it to be a string that fits the blacklist's
        // key column (SimpleJWT's is varchar(255) too), because blacklisting and revocation key on it.
        if (!claims.JtiValid)
        {
            return TokenValidationResult.Fail(TokenError.NoId);
        }

        if (!claims.HasTokenType)
        {
            return TokenValidationResult.Fail(TokenError.NoType);
        }

        if (claims.Kind is not { } kind || (expected is { } wanted && wanted != kind))
        {
            return TokenValidationResult.Fail(TokenError.WrongType);
        }

        long? refreshExp = claims.RefreshExp.IsNumber ? claims.RefreshExp.Seconds : null;
        return TokenValidationResult.Ok(new ValidatedToken(
            kind, claims.UserId, claims.UserIdUnrepresentable, claims.Exp.Seconds, iat, refreshExp, claims.Epoch, claims.Login,
            token, payloadSegment) { VerifiedBy = verifiedBy, KeySet = keySet });
    }

    /// <summary>
    /// True when the sliding token's <c>refresh_exp</c> has passed (with leeway), or is missing or
    /// not a number: then it may not be refreshed.
    /// </summary>
    public bool IsRefreshExpired(ValidatedToken token, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (token.RefreshExp is not { } refreshExp)
        {
            return true;
        }

        return NumericDate.UnixTicks(now) >= NumericDate.SecondsToTicks(refreshExp) + _options.Leeway.Ticks;
    }
}
