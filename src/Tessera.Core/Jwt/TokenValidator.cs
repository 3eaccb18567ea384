using System.Globalization;
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

    private readonly JwtOptions _options;
    private readonly JwsCodec _codec;

    public TokenValidator(JwtOptions options, JwsCodec codec)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(codec);
        _options = options;
        _codec = codec;
    }

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
    {
        JwsDecodeResult decoded = _codec.Decode(token);
        if (!decoded.Success)
        {
            return TokenValidationResult.Fail(TokenError.Invalid, decoded.Error);
        }

        // The codec guarantees no duplicate members and that every string reads, so nothing
        // below can throw.
        Claims claims = Claims.Collect(decoded.Payload);
        Int128 nowTicks = NumericDate.UnixTicks(now);
        Int128 leewayTicks = _options.Leeway.Ticks;

        // PyJWT: iat must be a number and not in the future.
        long? iat = null;
        if (claims.Iat.ValueKind != JsonValueKind.Undefined)
        {
            if (!NumericDate.TryRead(claims.Iat, out long iatSeconds, out double iatExact))
            {
                return TokenValidationResult.Fail(TokenError.Invalid);
            }

            double nowSeconds = (double)nowTicks / TimeSpan.TicksPerSecond;
            if (iatExact > nowSeconds + _options.Leeway.TotalSeconds)
            {
                return TokenValidationResult.Fail(TokenError.NotYetValid);
            }

            iat = iatSeconds;
        }

        // PyJWT: int(nbf) > now + leeway is "not yet valid".
        if (claims.Nbf.ValueKind != JsonValueKind.Undefined)
        {
            if (!NumericDate.TryRead(claims.Nbf, out long nbf, out _))
            {
                return TokenValidationResult.Fail(TokenError.Invalid);
            }

            if (NumericDate.SecondsToTicks(nbf) > nowTicks + leewayTicks)
            {
                return TokenValidationResult.Fail(TokenError.NotYetValid);
            }
        }

        // PyJWT: int(exp) <= now - leeway is expired, so a token dies at its exp second exactly.
        long exp = 0;
        bool hasExp = claims.Exp.ValueKind != JsonValueKind.Undefined;
        if (hasExp)
        {
            if (!NumericDate.TryRead(claims.Exp, out exp, out _))
            {
                return TokenValidationResult.Fail(TokenError.Invalid);
            }

            if (checkExpiry && nowTicks >= NumericDate.SecondsToTicks(exp) + leewayTicks)
            {
                return TokenValidationResult.Fail(TokenError.Expired);
            }
        }

        if (_options.Issuer is { } issuer
            && (claims.Iss.ValueKind != JsonValueKind.String || !claims.Iss.ValueEquals(issuer)))
        {
            return TokenValidationResult.Fail(TokenError.Invalid);
        }

        if (!AudienceAccepted(claims.Aud, _options.Audience))
        {
            return TokenValidationResult.Fail(TokenError.Invalid);
        }

        // SimpleJWT's Token.verify(): exp required ("no zombie tokens"), then jti, then type.
        if (!hasExp)
        {
            return TokenValidationResult.Fail(TokenError.NoExpiration);
        }

        // SimpleJWT only asks that jti exist; we also need it to be a string that fits the blacklist's
        // key column (SimpleJWT's is varchar(255) too), because blacklisting and revocation key on it.
        if (claims.Jti.ValueKind != JsonValueKind.String || claims.Jti.GetString()!.Length > MaxJtiLength)
        {
            return TokenValidationResult.Fail(TokenError.NoId);
        }

        if (claims.TokenType.ValueKind == JsonValueKind.Undefined)
        {
            return TokenValidationResult.Fail(TokenError.NoType);
        }

        if (claims.TokenType.ValueKind != JsonValueKind.String
            || !TokenKinds.TryParse(claims.TokenType.GetString(), out TokenKind kind)
            || (expected is { } wanted && wanted != kind))
        {
            return TokenValidationResult.Fail(TokenError.WrongType);
        }

        long? refreshExp = null;
        if (NumericDate.TryRead(claims.RefreshExp, out long refreshExpSeconds, out _))
        {
            refreshExp = refreshExpSeconds;
        }

        ReadUserId(claims.UserId, out long? userId, out bool unrepresentable);

        return TokenValidationResult.Ok(new ValidatedToken(
            kind, userId, unrepresentable, claims.Jti.GetString(), exp, iat, refreshExp, decoded.Payload));
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

    /// <summary>
    /// PyJWT's audience rule: with an audience configured the claim must be it or a list of strings
    /// holding it; without one, a token naming an audience is refused (RFC 7519 §4.1.3), though an
    /// empty or false-y <c>aud</c> counts as none, as in Python.
    /// </summary>
    private static bool AudienceAccepted(JsonElement aud, string? audience)
    {
        if (audience is null)
        {
            return !IsTruthy(aud);
        }

        if (!IsTruthy(aud))
        {
            return false;
        }

        if (aud.ValueKind == JsonValueKind.String)
        {
            return aud.ValueEquals(audience);
        }

        if (aud.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        bool found = false;
        foreach (JsonElement item in aud.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                return false;
            }

            found |= item.ValueEquals(audience);
        }

        return found;
    }

    /// <summary>Python truthiness of a JSON value; absent is false.</summary>
    private static bool IsTruthy(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Undefined or JsonValueKind.Null or JsonValueKind.False => false,
        JsonValueKind.String => value.GetString()!.Length > 0,
        JsonValueKind.Array => value.GetArrayLength() > 0,
        JsonValueKind.Object => value.EnumerateObject().Any(),
        JsonValueKind.Number => !value.TryGetDouble(out double d) || d != 0,
        _ => true,
    };

    private static void ReadUserId(JsonElement value, out long? userId, out bool unrepresentable)
    {
        userId = null;
        unrepresentable = false;
        switch (value.ValueKind)
        {
            case JsonValueKind.Undefined:
                return;
            case JsonValueKind.Number when value.TryGetInt64(out long number):
                userId = number;
                return;
            case JsonValueKind.String when long.TryParse(
                value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long parsed):
                userId = parsed;
                return;
            default:
                unrepresentable = true;
                return;
        }
    }

    /// <summary>The registered claims, found in one pass over the payload. Absent = Undefined.</summary>
    private struct Claims
    {
        public JsonElement TokenType;
        public JsonElement Exp;
        public JsonElement Iat;
        public JsonElement Nbf;
        public JsonElement Jti;
        public JsonElement UserId;
        public JsonElement RefreshExp;
        public JsonElement Aud;
        public JsonElement Iss;

        public static Claims Collect(JsonElement payload)
        {
            Claims c = default;
            foreach (JsonProperty p in payload.EnumerateObject())
            {
                if (p.NameEquals("token_type"u8)) c.TokenType = p.Value;
                else if (p.NameEquals("exp"u8)) c.Exp = p.Value;
                else if (p.NameEquals("iat"u8)) c.Iat = p.Value;
                else if (p.NameEquals("nbf"u8)) c.Nbf = p.Value;
                else if (p.NameEquals("jti"u8)) c.Jti = p.Value;
                else if (p.NameEquals("user_id"u8)) c.UserId = p.Value;
                else if (p.NameEquals("refresh_exp"u8)) c.RefreshExp = p.Value;
                else if (p.NameEquals("aud"u8)) c.Aud = p.Value;
                else if (p.NameEquals("iss"u8)) c.Iss = p.Value;
            }

            return c;
        }
    }
}
