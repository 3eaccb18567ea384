using Microsoft.AspNetCore.Http;
using Tessera.AspNetCore.Authentication;
using Tessera.Core.Audit;

namespace Tessera.AspNetCore.Http;

/// <summary>
/// The current request's origin, for the audit events and login records its changes write: the client
/// address as the host gives it (behind a proxy, the app's forwarded-headers middleware decides it),
/// the user agent, and, when a Tessera scheme admitted the request, its credential kind, login and user.
/// </summary>
internal sealed class HttpRequestOrigin(IHttpContextAccessor http) : IRequestOrigin
{
    public RequestOrigin? Current => http.HttpContext is { } context ? Of(context) : null;

    public static RequestOrigin Of(HttpContext context)
    {
        var agent = context.Request.Headers.UserAgent.ToString();
        // Only what a Tessera scheme admitted: asking an app's scheme's user would run the gate here.
        var user = context.Features.Get<AuthenticatedUser>();
        return new RequestOrigin(context.Connection.RemoteIpAddress?.ToString(), agent.Length == 0 ? null : agent,
            user?.Proof.Scheme, user?.Proof.Login?.ToString(), user?.User.Id);
    }
}
