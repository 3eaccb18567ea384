using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Tessera.AspNetCore.Authentication;
using Tessera.AspNetCore.RealTime;

namespace Tessera.Server.Tests.RealTime;

/// <summary>
/// Two endpoints the server does not map, put in front of its pipeline: a real-time one (tickets
/// accepted) and one that allows <c>?access_token=</c>. Each answers with what its request proved, so
/// a test can compare a ticket's proof with its asker's. Routing skips a request whose endpoint is
/// already set, so the server's authentication and authorization see these as any endpoint.
/// </summary>
internal sealed class TicketsTestEndpoints : IStartupFilter
{
    public const string RealTime = "/test/realtime/";
    public const string QueryToken = "/test/query-token/";

    private static readonly Endpoint RealTimeEndpoint = Make(RealTimeEndpointMetadata.Instance);
    private static readonly Endpoint QueryTokenEndpoint = Make(AccessTokenInQueryMetadata.Instance);

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, following) =>
        {
            if (context.Request.Path == RealTime)
                context.SetEndpoint(RealTimeEndpoint);
            else if (context.Request.Path == QueryToken)
                context.SetEndpoint(QueryTokenEndpoint);
            return following(context);
        });
        next(app);
    };

    private static Endpoint Make(object marker) => new(WhoAmI, new EndpointMetadataCollection(marker, new AuthorizeAttribute()), "test " + marker.GetType().Name);

    private static Task WhoAmI(HttpContext context)
    {
        var user = context.GetTesseraUser();
        var proof = user.Proof;
        return context.Response.WriteAsJsonAsync(new
        {
            user = user.User.Username,
            scheme = proof.Scheme,
            login = proof.Login?.ToString(),
            login_time_ms = proof.LoginTimeMs,
            epoch = proof.Epoch,
            expires = proof.ExpiresAt?.ToUnixTimeMilliseconds(),
            kid = proof.SigningKeyId,
            query = context.Request.QueryString.Value,
        });
    }
}
