using Tessera.AspNetCore.Authentication;

namespace Tessera.AspNetCore.Sessions;

/// <summary>Django's session and CSRF settings, with its defaults (section <c>Tessera:Sessions</c>).</summary>
public sealed class SessionAuthenticationOptions : CredentialSchemeOptions
{
    public const string SectionName = "Tessera:Sessions";

    /// <summary>
    /// None: DRF's SessionAuthentication has no <c>authenticate_header</c>, so a request it refuses, or
    /// an anonymous one where it is the first scheme, is answered 403, never 401.
    /// </summary>
    public override string? ChallengeKeyword => null;

    /// <summary>SESSION_COOKIE_NAME.</summary>
    public string CookieName { get; set; } = "sessionid";

    /// <summary>SESSION_COOKIE_AGE: two weeks.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>
    /// The server-side life of a session whose login asked not to be remembered (its cookie then ends
    /// with the browser, as after Django's <c>set_expiry(0)</c>).
    /// </summary>
    public TimeSpan BrowserSessionLifetime { get; set; } = TimeSpan.FromDays(1);

    /// <summary>CSRF_COOKIE_NAME.</summary>
    public string CsrfCookieName { get; set; } = "csrftoken";

    /// <summary>CSRF_HEADER_NAME (HTTP_X_CSRFTOKEN).</summary>
    public string CsrfHeaderName { get; set; } = "X-CSRFToken";

    /// <summary>CSRF_COOKIE_AGE: a year.</summary>
    public TimeSpan CsrfCookieLifetime { get; set; } = TimeSpan.FromDays(364);

    /// <summary>CSRF_TRUSTED_ORIGINS: other origins whose unsafe requests may carry the session.</summary>
    public List<string> TrustedOrigins { get; set; } = [];
}
