using Microsoft.AspNetCore.Http;
using Tessera.Core.Logins;

namespace Tessera.AspNetCore.Logins;

/// <summary>
/// The current request's client address (as the host gives it: behind a proxy, the app's forwarded
/// headers middleware decides it) and user agent, for a new login's record.
/// </summary>
internal sealed class HttpLoginOrigin(IHttpContextAccessor http) : ILoginOrigin
{
    public (string? Ip, string? UserAgent)? Current
    {
        get
        {
            if (http.HttpContext is not { } context)
                return null;
            var agent = context.Request.Headers.UserAgent.ToString();
            return (context.Connection.RemoteIpAddress?.ToString(), agent.Length == 0 ? null : agent);
        }
    }
}
