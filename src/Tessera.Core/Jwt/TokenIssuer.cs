using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;

namespace Tessera.Core.Jwt;

/// <summary>Who a new token is for: <c>user_id</c>, the custom claims, Tessera's login claims.</summary>
/// <param name="Claims">The custom claims in order: the spec's <c>username</c> and <c>email</c>, then
/// whatever the app's token-issuing event added (SimpleJWT's <c>get_token</c> override). Values are
/// written as JSON (strings, numbers, booleans, null, arrays and objects of them).</param>
/// <param name="LoginId">Tessera's login id (claim <c>lid</c>), carried by every token of one login
/// through every rotation, so that the whole login can be revoked at once.</param>
/// <param name="Epoch">The user's revocation epoch the login's password check read (claim <c>epoch</c>),
/// carried the same way, so that a password change or revoke-all committed meanwhile still ends it.</param>
public sealed record TokenSubject(long UserId, IReadOnlyList<KeyValuePair<string, object?>> Claims, string? LoginId = null, long? Epoch = null)
{
    public TokenSubject(long userId, string username, string email, string? loginId = null, long? epoch = null)
        : this(userId, [new("username", username), new("email", email)], loginId, epoch)
    {
    }

    /// <summary>Claims Tessera writes itself, which a custom claim may not replace.</summary>
    public static readonly IReadOnlySet<string> ReservedClaims = new HashSet<string>(StringComparer.Ordinal)
    {
        "token_type", "exp", "iat", "nbf", "jti", "user_id", "refresh_exp", "aud", "iss", TokenIssuer.LoginIdClaim, TokenIssuer.EpochClaim,
    };
}

/// <summary>A signed token and what storage needs of it without decoding it again.</summary>
public sealed record IssuedToken(string Value, string Jti, DateTimeOffset ExpiresAt);

/// <summary>A login's pair, as SimpleJWT's obtain view returns it.</summary>
public sealed record TokenPair(IssuedToken Access, IssuedToken Refresh);

/// <summary>
/// Mints tokens with SimpleJWT's claims and claim order (token_type, exp, iat, jti, then the rest),
/// so clients that decode them see what SimpleJWT would have given them. Times are whole unix
/// seconds, truncated as SimpleJWT's <c>datetime_to_epoch</c> does. Thread-safe.
/// </summary>
public sealed class TokenIssuer
{
    /// <summary>The claim of Tessera's own that names the login a token belongs to.</summary>
    public const string LoginIdClaim = "lid";

    /// <summary>The claim of Tessera's own that carries the user's revocation epoch at login.</summary>
    public const string EpochClaim = "epoch";

    private readonly JwtOptions _options;
    private readonly JwsCodec _codec;
    private readonly TimeProvider _time;

    private readonly SigningKeys.IInferredIssuer? _inferredIssuer;

    /// <param name="inferredIssuer">The request's issuer, written into new tokens while <see cref="JwtOptions.Issuer"/> is unset.</param>
    public TokenIssuer(JwtOptions options, JwsCodec codec, TimeProvider time, SigningKeys.IInferredIssuer? inferredIssuer)
        : this(options, codec, time)
        => _inferredIssuer = inferredIssuer;

    public TokenIssuer(JwtOptions options, JwsCodec codec, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(codec);
        ArgumentNullException.ThrowIfNull(time);
        _options = options;
        _codec = codec;
        _time = time;
    }

    /// <summary>A refresh token and the access token derived from it, both relative to one "now".</summary>
    public TokenPair IssuePair(TokenSubject subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        DateTimeOffset now = _time.GetUtcNow();
        IssuedToken refresh = IssueNew(TokenKind.Refresh, subject, now, _options.RefreshTokenLifetime, refreshExp: null);
        IssuedToken access = IssueNew(TokenKind.Access, subject, now, _options.AccessTokenLifetime, refreshExp: null);
        return new TokenPair(access, refresh);
    }

    /// <summary>A sliding token: <c>exp</c> = iat + SlidingTokenLifetime, <c>refresh_exp</c> = iat + SlidingTokenRefreshLifetime.</summary>
    public IssuedToken IssueSliding(TokenSubject subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        DateTimeOffset now = _time.GetUtcNow();
        return IssueNew(TokenKind.Sliding, subject, now, _options.SlidingTokenLifetime, Seconds(now, _options.SlidingTokenRefreshLifetime));
    }

    /// <summary>
    /// SimpleJWT's <c>refresh.access_token</c>: a fresh access token that carries every claim of the
    /// refresh token except its no-copy claims (<c>token_type</c>, <c>exp</c>, <c>iat</c>, <c>jti</c>).
    /// </summary>
    public IssuedToken IssueAccessFrom(ValidatedToken refresh)
    {
        ArgumentNullException.ThrowIfNull(refresh);
        DateTimeOffset now = _time.GetUtcNow();
        return Reissue(refresh.Payload, TokenKind.Access, now, _options.AccessTokenLifetime, NewJti(), freshHead: true);
    }

    /// <summary>Rotation: the same claims under a new <c>jti</c>, <c>exp</c> and <c>iat</c>, each in its place.</summary>
    public IssuedToken Rotate(ValidatedToken refresh)
    {
        ArgumentNullException.ThrowIfNull(refresh);
        DateTimeOffset now = _time.GetUtcNow();
        return Reissue(refresh.Payload, TokenKind.Refresh, now, _options.RefreshTokenLifetime, NewJti(), freshHead: false);
    }

    /// <summary>
    /// Sliding refresh: new <c>exp</c> and <c>iat</c>; the same <c>jti</c> and <c>refresh_exp</c>, so
    /// the token still dies at its refresh_exp and a blacklisting of its jti still holds.
    /// </summary>
    public IssuedToken Slide(ValidatedToken sliding)
    {
        ArgumentNullException.ThrowIfNull(sliding);
        if (sliding.Jti is null)
        {
            throw new ArgumentException("A validated token always has a jti.", nameof(sliding));
        }

        DateTimeOffset now = _time.GetUtcNow();
        return Reissue(sliding.Payload, TokenKind.Sliding, now, _options.SlidingTokenLifetime, sliding.Jti, freshHead: false);
    }

    private IssuedToken IssueNew(TokenKind kind, TokenSubject subject, DateTimeOffset now, TimeSpan lifetime, long? refreshExp)
    {
        string jti = NewJti();
        long exp = Seconds(now, lifetime);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            WriteHead(writer, kind, exp, now.ToUnixTimeSeconds(), jti);
            if (refreshExp is { } refresh)
            {
                writer.WriteNumber("refresh_exp"u8, refresh);
            }

            writer.WriteNumber("user_id"u8, subject.UserId);
            foreach (var (name, value) in subject.Claims)
            {
                if (TokenSubject.ReservedClaims.Contains(name))
                {
                    throw new InvalidOperationException($"The claim '{name}' is Tessera's own; a custom claim cannot replace it.");
                }

                writer.WritePropertyName(name);
                JsonSerializer.Serialize(writer, value, value?.GetType() ?? typeof(object));
            }
            if (subject.LoginId is { } loginId)
            {
                writer.WriteString(LoginIdClaim, loginId);
            }

            if (subject.Epoch is { } epoch)
            {
                writer.WriteNumber(EpochClaim, epoch);
            }

            WriteAudienceAndIssuer(writer, ClaimSet.None);
            writer.WriteEndObject();
        }

        return new IssuedToken(_codec.Encode(buffer.WrittenSpan), jti, DateTimeOffset.FromUnixTimeSeconds(exp));
    }

    /// <summary>
    /// Writes a token from an existing payload. <paramref name="freshHead"/>: the new token_type, exp,
    /// iat, jti come first and the source's are dropped (a new token, as access_token builds one);
    /// otherwise they replace the source's values where they stand (Python dict assignment, as
    /// rotation and sliding refresh do). Configured aud/iss replace the source's the same way, or
    /// are appended, as SimpleJWT's backend does on encode.
    /// </summary>
    private IssuedToken Reissue(JsonElement source, TokenKind kind, DateTimeOffset now, TimeSpan lifetime, string jti, bool freshHead)
    {
        long exp = Seconds(now, lifetime);
        long iat = now.ToUnixTimeSeconds();
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            ClaimSet written = ClaimSet.None;
            if (freshHead)
            {
                WriteHead(writer, kind, exp, iat, jti);
                written = ClaimSet.Head;
            }

            foreach (JsonProperty claim in source.EnumerateObject())
            {
                if (claim.NameEquals("token_type"u8))
                {
                    if (!freshHead) writer.WriteString("token_type"u8, TokenKinds.WireName(kind));
                    written |= ClaimSet.TokenType;
                }
                else if (claim.NameEquals("exp"u8))
                {
                    if (!freshHead) writer.WriteNumber("exp"u8, exp);
                    written |= ClaimSet.Exp;
                }
                else if (claim.NameEquals("iat"u8))
                {
                    if (!freshHead) writer.WriteNumber("iat"u8, iat);
                    written |= ClaimSet.Iat;
                }
                else if (claim.NameEquals("jti"u8))
                {
                    if (!freshHead) writer.WriteString("jti"u8, jti);
                    written |= ClaimSet.Jti;
                }
                else if (claim.NameEquals("aud"u8) && _options.Audience is { } audience)
                {
                    writer.WriteString("aud"u8, audience);
                    written |= ClaimSet.Aud;
                }
                else if (claim.NameEquals("iss"u8))
                {
                    // The configured issuer replaces the source's; else the source's stays (the issuer
                    // its login was inferred with), and no second one is appended.
                    if (_options.Issuer is { } issuer)
                        writer.WriteString("iss"u8, issuer);
                    else
                        claim.WriteTo(writer);
                    written |= ClaimSet.Iss;
                }
                else
                {
                    claim.WriteTo(writer);
                }
            }

            // Whatever the source lacked (a foreign token without iat, say) goes at the end.
            if ((written & ClaimSet.TokenType) == 0) writer.WriteString("token_type"u8, TokenKinds.WireName(kind));
            if ((written & ClaimSet.Exp) == 0) writer.WriteNumber("exp"u8, exp);
            if ((written & ClaimSet.Iat) == 0) writer.WriteNumber("iat"u8, iat);
            if ((written & ClaimSet.Jti) == 0) writer.WriteString("jti"u8, jti);
            WriteAudienceAndIssuer(writer, written);
            writer.WriteEndObject();
        }

        return new IssuedToken(_codec.Encode(buffer.WrittenSpan), jti, DateTimeOffset.FromUnixTimeSeconds(exp));
    }

    private static void WriteHead(Utf8JsonWriter writer, TokenKind kind, long exp, long iat, string jti)
    {
        writer.WriteString("token_type"u8, TokenKinds.WireName(kind));
        writer.WriteNumber("exp"u8, exp);
        writer.WriteNumber("iat"u8, iat);
        writer.WriteString("jti"u8, jti);
    }

    private void WriteAudienceAndIssuer(Utf8JsonWriter writer, ClaimSet written)
    {
        if (_options.Audience is { } audience && (written & ClaimSet.Aud) == 0)
        {
            writer.WriteString("aud"u8, audience);
        }

        if ((_options.Issuer ?? _inferredIssuer?.Issuer) is { } issuer && (written & ClaimSet.Iss) == 0)
        {
            writer.WriteString("iss"u8, issuer);
        }
    }

    /// <summary>Unix seconds of now + lifetime, truncated, saturating at the end of year 9999.</summary>
    private static long Seconds(DateTimeOffset now, TimeSpan lifetime)
    {
        DateTimeOffset at = lifetime > DateTimeOffset.MaxValue - now ? DateTimeOffset.MaxValue : now + lifetime;
        return at.ToUnixTimeSeconds();
    }

    /// <summary>
    /// 32 lowercase hex digits shaped like SimpleJWT's <c>uuid4().hex</c> (version and variant bits
    /// set), from the OS CSPRNG: 122 random bits, unguessable and collision-free in practice.
    /// </summary>
    private static string NewJti()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return Convert.ToHexStringLower(bytes);
    }

    [Flags]
    private enum ClaimSet
    {
        None = 0,
        TokenType = 1,
        Exp = 2,
        Iat = 4,
        Jti = 8,
        Aud = 16,
        Iss = 32,
        Head = TokenType | Exp | Iat | Jti,
    }
}
