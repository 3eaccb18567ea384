using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tessera.AspNetCore.Authentication;
using Tessera.AspNetCore.Cors;
using Tessera.AspNetCore.Jwt;
using Tessera.AspNetCore.Sessions;
using Tessera.Core.Admission;

namespace Tessera.AspNetCore.RealTime;

/// <summary>
/// Cross-site WebSocket hijacking: a browser opens a WebSocket to any site with that site's cookies,
/// and the same-origin policy does not apply to it. So on a real-time endpoint a credential the
/// browser sends by itself (the session cookie, a JWT read from the access-token cookie) is taken
/// only with no <c>Origin</c> (not a browser), the server's own, or one of
/// <c>Tessera:Cors:AllowedOrigins</c> (or the sessions' <c>TrustedOrigins</c>); otherwise Django's
/// 403. Headers, tickets and query tokens are not sent by the browser unasked: they need no check.
/// </summary>
internal static class RealTimeOrigin
{
    /// <summary>Null when the request passes; otherwise DRF's 403.</summary>
    public static AuthFailure? Check(HttpContext context, CredentialProof proof)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<RealTimeEndpointMetadata>() is null)
            return null;
        var request = context.Request;
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0 || !IsAmbient(context, proof))
            return null;
        if (string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase))
            return null;
        var services = context.RequestServices;
        if (services.GetService<IOptions<TesseraCorsOptions>>()?.Value.AllowedOrigins.Contains(origin, StringComparer.OrdinalIgnoreCase) == true
            || services.GetService<IOptionsMonitor<SessionAuthenticationOptions>>()?.Get(TesseraSchemes.Session).TrustedOrigins.Contains(origin, StringComparer.OrdinalIgnoreCase) == true)
            return null;
        return new AuthFailure(new { detail = $"CSRF Failed: Origin checking failed - {origin} does not match any trusted origins." }, StatusCodes.Status403Forbidden)
        {
            Reason = RefusalReason.CsrfFailed,
        };
    }

    /// <summary>Did the browser send the credential by itself: the session cookie, or the JWT of the access-token cookie?</summary>
    private static bool IsAmbient(HttpContext context, CredentialProof proof)
    {
        if (proof.Scheme == TesseraSchemes.Session)
            return true;
        if (proof.Scheme != TesseraSchemes.Jwt || context.Request.Headers.ContainsKey("Authorization"))
            return false;
        var cookie = context.RequestServices.GetService<IOptionsMonitor<JwtAuthenticationOptions>>()?.Get(TesseraSchemes.Jwt).AccessTokenCookieName;
        return cookie is not null && context.Request.Cookies.ContainsKey(cookie);
    }
}
