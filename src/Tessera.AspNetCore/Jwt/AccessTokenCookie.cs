using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tessera.AspNetCore.Authentication;
using Tessera.AspNetCore.Sessions;
using Tessera.Core.Jwt;

namespace Tessera.AspNetCore.Jwt;

/// <summary>
/// The access-token cookie (<see cref="JwtAuthenticationOptions.AccessTokenCookieName"/>, set by
/// <c>Tessera:Jwt:AccessTokenCookie</c>), written where a token is issued and removed at logout, so a
/// browser app needs no script to hold its token. <c>HttpOnly</c>: a page's script cannot read it (an
/// injected one cannot steal it); <c>SameSite=Lax</c>, and Django's CSRF cookie beside it, which the
/// page's script sends back as <c>X-CSRFToken</c> on unsafe requests. Nothing is written when no
/// cookie is named: the JSON answer is the same either way.
/// </summary>
internal static class AccessTokenCookie
{
    public static void Issue(HttpContext context, IssuedToken token)
    {
        if (Name(context) is not { } name)
            return;
        context.Response.Cookies.Append(name, token.Value, new CookieOptions
        {
            HttpOnly = true,
            Secure = context.Request.IsHttps,
            SameSite = SameSiteMode.Lax,
            Path = "/",
            Expires = token.ExpiresAt, // the browser drops it when the token is worth nothing
        });
        Csrf.EnsureSecret(context, CsrfOptions(context));
    }

    public static void Clear(HttpContext context)
    {
        if (Name(context) is { } name && context.Request.Cookies.ContainsKey(name))
            context.Response.Cookies.Delete(name, new CookieOptions { Path = "/", Secure = context.Request.IsHttps, SameSite = SameSiteMode.Lax, HttpOnly = true });
    }

    private static string? Name(HttpContext context)
        => context.RequestServices.GetRequiredService<IOptionsMonitor<JwtAuthenticationOptions>>().Get(TesseraSchemes.Jwt).AccessTokenCookieName is { Length: > 0 } name ? name : null;

    /// <summary>The sessions' CSRF settings: one CSRF cookie for the browser, whichever credential it holds.</summary>
    private static SessionAuthenticationOptions CsrfOptions(HttpContext context)
        => context.RequestServices.GetRequiredService<IOptionsMonitor<SessionAuthenticationOptions>>().Get(TesseraSchemes.Session);
}
