using Microsoft.AspNetCore.Http;
using Tessera.Core.Sessions;
using Tessera.AspNetCore.Authentication;

namespace Tessera.AspNetCore.Sessions;

/// <summary>
/// Django's CSRF check for unsafe methods: a foreign <c>Origin</c> is refused, and the header token
/// must carry the cookie's secret (compared in constant time).
/// </summary>
internal static class Csrf
{
    public const string TokenMissingOrIncorrect = "CSRF Failed: CSRF token missing or incorrect.";
    public const string CookieNotSet = "CSRF Failed: CSRF cookie not set.";

    /// <summary>RFC 9110's safe methods: they change nothing, so they need no token.</summary>
    public static bool IsSafe(string method)
        => HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);

    /// <summary>Null when the request passes; otherwise DRF's 403 body.</summary>
    public static AuthFailure? Check(HttpContext context, SessionAuthenticationOptions options)
    {
        var request = context.Request;
        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0 && !IsTrustedOrigin(request, origin, options))
            return OriginRefused(origin);
        if (!request.Cookies.TryGetValue(options.CsrfCookieName, out var secret) || !CsrfTokens.IsWellFormed(secret))
            return Refuse(CookieNotSet);
        return CsrfTokens.Matches(request.Headers[options.CsrfHeaderName].ToString(), secret) ? null : Refuse(TokenMissingOrIncorrect);
    }

    /// <summary>The cookie's secret, made if absent (GET /session/csrf/, Django's get_token).</summary>
    public static string EnsureSecret(HttpContext context, SessionAuthenticationOptions options)
    {
        if (context.Request.Cookies.TryGetValue(options.CsrfCookieName, out var secret) && secret is { Length: CsrfTokens.SecretLength } && CsrfTokens.IsWellFormed(secret))
            return secret;
        return Rotate(context, options);
    }

    /// <summary>A new secret in the cookie, as Django's rotate_token at login (a token seen before login is void after).</summary>
    public static string Rotate(HttpContext context, SessionAuthenticationOptions options)
    {
        var secret = CsrfTokens.NewSecret();
        context.Response.Cookies.Append(options.CsrfCookieName, secret, new CookieOptions
        {
            HttpOnly = false, // the page's script reads it to send the header
            SameSite = SameSiteMode.Lax,
            Secure = context.Request.IsHttps,
            MaxAge = options.CsrfCookieLifetime,
            Path = "/",
        });
        return secret;
    }

    /// <summary>Django's origin rule: the request's own origin, or one of the trusted origins.</summary>
    internal static bool IsTrustedOrigin(HttpRequest request, string origin, SessionAuthenticationOptions options)
        => string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase)
           || options.TrustedOrigins.Contains(origin, StringComparer.OrdinalIgnoreCase);

    /// <summary>Django's 403 for an <c>Origin</c> that is not trusted.</summary>
    internal static AuthFailure OriginRefused(string origin) => Refuse($"CSRF Failed: Origin checking failed - {origin} does not match any trusted origins.");

    private static AuthFailure Refuse(string detail) => new(new { detail }, StatusCodes.Status403Forbidden) { Reason = RefusalReason.CsrfFailed };
}
