using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tessera.AspNetCore.Authentication;
using Tessera.AspNetCore.Cors;
using Tessera.AspNetCore.Sessions;

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
    public static AuthFailure? Check(HttpContext context)
    {
        // Set by the schemes that read a cookie; most requests carry a header and stop here.
        if (context.Features.Get<AmbientCredential>() is null)
            return null;
        var request = context.Request;
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0 || context.GetEndpoint()?.Metadata.GetMetadata<RealTimeEndpointMetadata>() is null)
            return null;
        // CSRF's own rule (the server's origin, the sessions' trusted origins), and the origins CORS lets in.
        var services = context.RequestServices;
        if (Csrf.IsTrustedOrigin(request, origin, services.GetRequiredService<IOptionsMonitor<SessionAuthenticationOptions>>().Get(TesseraSchemes.Session))
            || services.GetService<IOptions<TesseraCorsOptions>>()?.Value.AllowedOrigins.Contains(origin, StringComparer.OrdinalIgnoreCase) == true)
            return null;
        return Csrf.OriginRefused(origin);
    }
}
