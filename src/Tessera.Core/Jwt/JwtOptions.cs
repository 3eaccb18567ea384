using System.Text;

namespace Tessera.Core.Jwt;

/// <summary>
/// JWT settings, bound from the <c>Tessera:Jwt</c> section. Names follow the spec; the SimpleJWT
/// setting each one mirrors is in brackets. A plain POCO so Core stays free of Microsoft.Extensions.
/// </summary>
public sealed class JwtOptions
{
    public const string SectionName = "Tessera:Jwt";

    /// <summary>HS256 wants at least the hash size in key material (RFC 7518 §3.2).</summary>
    public const int MinimumHmacKeyBytes = 32;

    /// <summary>[SIGNING_KEY] The HMAC secret; its UTF-8 bytes are the key, exactly as PyJWT uses it.</summary>
    public string SigningKey { get; set; } = "";

    /// <summary>[ALGORITHM] Pinned per key: a token's own <c>alg</c> is never trusted.</summary>
    public string Algorithm { get; set; } = "HS256";

    /// <summary>[ACCESS_TOKEN_LIFETIME]</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>[REFRESH_TOKEN_LIFETIME]</summary>
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>[SLIDING_TOKEN_LIFETIME]</summary>
    public TimeSpan SlidingTokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>[SLIDING_TOKEN_REFRESH_LIFETIME]</summary>
    public TimeSpan SlidingTokenRefreshLifetime { get; set; } = TimeSpan.FromDays(1);

    /// <summary>[ROTATE_REFRESH_TOKENS]</summary>
    public bool RotateRefreshTokens { get; set; } = true;

    /// <summary>[BLACKLIST_AFTER_ROTATION]</summary>
    public bool BlacklistAfterRotation { get; set; } = true;

    /// <summary>[UPDATE_LAST_LOGIN]</summary>
    public bool UpdateLastLogin { get; set; } = true;

    /// <summary>[AUDIENCE] When set, issued tokens carry it and presented tokens must.</summary>
    public string? Audience { get; set; }

    /// <summary>[ISSUER] When set, issued tokens carry it and presented tokens must.</summary>
    public string? Issuer { get; set; }

    /// <summary>
    /// The cookie an access token is also read from, after the <c>Authorization</c> header (the seed's
    /// <c>access_token</c>, for browser apps), and that the token endpoints set; off when empty. A
    /// request authenticated by it passes Django's CSRF check on unsafe methods, as sessions do.
    /// Read by the ASP.NET Core scheme (<c>JwtAuthenticationOptions.AccessTokenCookieName</c>).
    /// </summary>
    public string? AccessTokenCookie { get; set; }

    /// <summary>[LEEWAY] Clock tolerance for <c>exp</c>, <c>nbf</c>, <c>iat</c>. SimpleJWT's default is 0.</summary>
    public TimeSpan Leeway { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// How long after a refresh token's rotation a second presentation of it is taken for two clients
    /// racing (two tabs refreshing at once) rather than for theft: refused, as SimpleJWT refuses a
    /// blacklisted token, but the login lives on. Later, reuse detection revokes the whole login.
    /// Zero: every second presentation is reuse. The price of a grace: a thief who refreshes a stolen
    /// token within it of the owner is not detected by that presentation.
    /// </summary>
    public TimeSpan RefreshReuseGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest <see cref="RefreshReuseGrace"/> accepted: a race lasts a request, not minutes.</summary>
    public static readonly TimeSpan MaxRefreshReuseGrace = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long any token minted now can stay valid: after a login is revoked, its revocation must
    /// be kept this long (plus leeway) and no longer.
    /// </summary>
    public TimeSpan LongestTokenLifetime => new[] { AccessTokenLifetime, RefreshTokenLifetime, SlidingTokenLifetime, SlidingTokenRefreshLifetime }.Max() + Leeway;

    /// <summary>
    /// Problems that must stop the server from starting, in words an operator can act on.
    /// Empty when the options are usable.
    /// </summary>
    public IEnumerable<string> Validate(bool isDevelopment)
    {
        var problems = new List<string>();

        // With an asymmetric algorithm the keys are the ring's (Tessera:SigningKeys); SigningKey, if
        // set, only seeds the protection of their private halves (SigningKeyOptions checks that).
        if (string.IsNullOrEmpty(SigningKey) && !JwsSigningKey.IsAsymmetric(Algorithm))
        {
            problems.Add($"{SectionName}:SigningKey is required (environment: Tessera__Jwt__SigningKey).");
        }
        else if (Algorithm == "HS256" && !isDevelopment && Encoding.UTF8.GetByteCount(SigningKey) < MinimumHmacKeyBytes)
        {
            // A short HMAC key can be brute-forced offline from any token; development keeps the
            // convenience of short keys, nothing else does.
            problems.Add($"{SectionName}:SigningKey must be at least {MinimumHmacKeyBytes} bytes (UTF-8) for HS256; it has {Encoding.UTF8.GetByteCount(SigningKey)}.");
        }

        if (Algorithm != "HS256" && !JwsSigningKey.IsAsymmetric(Algorithm))
        {
            problems.Add($"{SectionName}:Algorithm '{Algorithm}' is not supported; supported: HS256, RS256, ES256, EdDSA.");
        }

        CheckPositive(problems, nameof(AccessTokenLifetime), AccessTokenLifetime);
        CheckPositive(problems, nameof(RefreshTokenLifetime), RefreshTokenLifetime);
        CheckPositive(problems, nameof(SlidingTokenLifetime), SlidingTokenLifetime);
        CheckPositive(problems, nameof(SlidingTokenRefreshLifetime), SlidingTokenRefreshLifetime);

        if (Leeway < TimeSpan.Zero)
        {
            problems.Add($"{SectionName}:Leeway must not be negative; it is {Leeway}.");
        }

        if (RefreshReuseGrace < TimeSpan.Zero || RefreshReuseGrace > MaxRefreshReuseGrace)
        {
            problems.Add($"{SectionName}:{nameof(RefreshReuseGrace)} must be between 00:00:00 and {MaxRefreshReuseGrace}; it is {RefreshReuseGrace}.");
        }

        return problems;
    }

    private static void CheckPositive(List<string> problems, string name, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            problems.Add($"{SectionName}:{name} must be positive; it is {value}.");
        }
    }
}
