using System.Net;
using Tessera.Core.ExternalLogin;

namespace Tessera.AspNetCore.ExternalLogin;

/// <summary>
/// One OpenID Connect provider whose ID tokens sign users in (<c>Tessera:ExternalLogin:Providers:&lt;name&gt;</c>).
/// Its keys and issuer come from its discovery document, <c>Authority + "/.well-known/openid-configuration"</c>;
/// nothing a token names is ever fetched.
/// </summary>
public sealed class ExternalProviderOptions
{
    /// <summary>The algorithms accepted when <see cref="Algorithms"/> is left empty.</summary>
    internal static readonly IReadOnlyList<string> DefaultAlgorithms = ["RS256", "ES256", "EdDSA"];

    /// <summary>The names <see cref="Preset"/> knows.</summary>
    internal static readonly IReadOnlyList<string> Presets = ["google", "apple", "microsoft"];

    /// <summary>The provider's issuer URL (https), e.g. <c>https://accounts.google.com</c>. A preset fills it.</summary>
    public string? Authority { get; set; }

    /// <summary>The app's client ids at the provider: an ID token's <c>aud</c> must name one. At least one.</summary>
    public List<string> ClientIds { get; set; } = [];

    /// <summary>Discovery and JWKS over https only. False is allowed only for a loopback <see cref="Authority"/> (tests).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>
    /// <c>google</c>, <c>apple</c> or <c>microsoft</c>: that provider's settings, for those the app left
    /// unset. Unset: the provider's name, when it is one of those.
    /// </summary>
    public string? Preset { get; set; }

    /// <summary>
    /// Other spellings of the discovery issuer that tokens may carry (Google's <c>accounts.google.com</c>):
    /// accepted, and stored as the discovery issuer, so one account has one key.
    /// </summary>
    public List<string> Issuers { get; set; } = [];

    /// <summary>
    /// The token's <c>nonce</c> is the lowercase hex SHA-256 of the nonce the client sends (Apple's
    /// native flows), not that nonce itself. Unset: true for Apple's preset, false otherwise.
    /// </summary>
    public bool? HashedNonce { get; set; }

    /// <summary>
    /// The claim that says the provider verified <c>email</c>: <c>email_verified</c> when unset;
    /// Microsoft's preset: <c>xms_edov</c> (its <c>email</c> is otherwise whatever a tenant admin typed: "nOAuth").
    /// </summary>
    public string? EmailVerifiedClaim { get; set; }

    /// <summary>The accepted signature algorithms: RS256, ES256, EdDSA (all three when empty). Never HS* nor none.</summary>
    public List<string> Algorithms { get; set; } = [];

    /// <summary>Tolerance on <c>exp</c> and <c>iat</c>, for clocks that disagree (at most 5 minutes).</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a fetch of the discovery document or the JWKS may take.</summary>
    public TimeSpan BackchannelTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The least time between two JWKS fetches caused by a token naming an unknown <c>kid</c>: forged
    /// kids cannot make Tessera hammer the provider.
    /// </summary>
    public TimeSpan KeyRefreshCooldown { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The preset that applies: <see cref="Preset"/>, else <paramref name="name"/> when it is a preset's name; lowercase.</summary>
    internal string? EffectivePreset(string name)
    {
        string? preset = Preset ?? (Presets.Contains(name, StringComparer.OrdinalIgnoreCase) ? name : null);
        return preset?.ToLowerInvariant();
    }

    /// <summary>Every problem of this provider's settings, each naming its setting.</summary>
    public IEnumerable<string> Validate(string name)
    {
        string prefix = $"{ExternalLoginOptions.SectionName}:Providers:{name}";
        if (name.Length is 0 or > ExternalIdentity.ProviderMaxLength || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            yield return $"{prefix}: a provider's name is 1 to {ExternalIdentity.ProviderMaxLength} letters, digits, '-' or '_' (it is part of URLs).";

        if (Preset is not null && !Presets.Contains(Preset, StringComparer.OrdinalIgnoreCase))
            yield return $"{prefix}:Preset: '{Preset}' is not a preset ({string.Join(", ", Presets)}).";

        if (string.IsNullOrWhiteSpace(Authority))
        {
            yield return $"{prefix}:Authority: the provider's issuer URL is required (or a Preset).";
        }
        else if (!Uri.TryCreate(Authority, UriKind.Absolute, out var authority) || authority.Scheme is not ("https" or "http")
            || authority.Query.Length > 0 || authority.Fragment.Length > 0 || authority.UserInfo.Length > 0)
        {
            yield return $"{prefix}:Authority: '{Authority}' is not an http(s) URL without query, fragment or user info.";
        }
        else if (RequireHttpsMetadata && authority.Scheme != "https")
        {
            yield return $"{prefix}:Authority: '{Authority}' must use https (RequireHttpsMetadata is true).";
        }
        else if (!RequireHttpsMetadata && !IsLoopback(authority))
        {
            yield return $"{prefix}:RequireHttpsMetadata: false is allowed only for a loopback Authority (tests), not '{Authority}'.";
        }

        if (ClientIds.Count == 0)
            yield return $"{prefix}:ClientIds: at least one client id is required.";
        else if (ClientIds.Any(string.IsNullOrWhiteSpace))
            yield return $"{prefix}:ClientIds: a client id is empty.";

        if (Issuers.Any(string.IsNullOrWhiteSpace))
            yield return $"{prefix}:Issuers: an issuer is empty.";

        if (EmailVerifiedClaim is { } claim && string.IsNullOrWhiteSpace(claim))
            yield return $"{prefix}:EmailVerifiedClaim: the claim's name is empty.";

        foreach (var algorithm in Algorithms)
            if (!DefaultAlgorithms.Contains(algorithm, StringComparer.Ordinal))
                yield return $"{prefix}:Algorithms: '{algorithm}' is not accepted (only {string.Join(", ", DefaultAlgorithms)}: never a shared secret, never none).";

        if (ClockSkew < TimeSpan.Zero || ClockSkew > TimeSpan.FromMinutes(5))
            yield return $"{prefix}:ClockSkew: {ClockSkew} is not within 0 to 5 minutes.";
        if (BackchannelTimeout <= TimeSpan.Zero || BackchannelTimeout > TimeSpan.FromMinutes(2))
            yield return $"{prefix}:BackchannelTimeout: {BackchannelTimeout} is not within 0 (excluded) to 2 minutes.";
        if (KeyRefreshCooldown <= TimeSpan.Zero)
            yield return $"{prefix}:KeyRefreshCooldown: {KeyRefreshCooldown} must be positive.";
    }

    private static bool IsLoopback(Uri uri)
        => uri.IsLoopback || (IPAddress.TryParse(uri.IdnHost, out var address) && IPAddress.IsLoopback(address));
}
