using Microsoft.AspNetCore.Http;
using Tessera.AspNetCore.Authentication;
using Tessera.Core.Audit;

namespace Tessera.AspNetCore.Audit;

/// <summary>The current request's address, user agent and, when admitted, its credential kind and login.</summary>
internal sealed class HttpAuditOrigin(IHttpContextAccessor http) : IAuditOrigin
{
    public void Stamp(AuditEvent e)
    {
        if (http.HttpContext is { } context)
            Stamp(e, context);
    }

    public static void Stamp(AuditEvent e, HttpContext context)
    {
        e.Ip ??= context.Connection.RemoteIpAddress?.ToString() is { } ip && ip.Length <= AuditEvent.IpMaxLength ? ip : null;
        if (e.UserAgent is null && context.Request.Headers.UserAgent.ToString() is { Length: > 0 } agent)
            e.UserAgent = agent.Length <= AuditEvent.UserAgentMaxLength ? agent : agent[..AuditEvent.UserAgentMaxLength];
        // Only what a Tessera scheme admitted: asking an app's scheme's user would run the gate here.
        if (context.Features.Get<AuthenticatedUser>() is { } user)
        {
            e.Scheme ??= user.Proof.Scheme.Length <= AuditEvent.SchemeMaxLength ? user.Proof.Scheme : null;
            // The request's own login, unless the event names another (the one revoked).
            e.LoginId ??= user.Proof.Login?.ToString();
            e.UserId ??= user.User.Id;
        }
    }
}
