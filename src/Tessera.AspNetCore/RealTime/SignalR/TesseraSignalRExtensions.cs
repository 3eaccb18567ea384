using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Tessera.AspNetCore.RealTime.SignalR;

/// <summary>SignalR hubs authenticated by Tessera, each connection aborted the moment its login ends.</summary>
public static class TesseraSignalRExtensions
{
    /// <summary>
    /// Follows every hub connection that has a Tessera user (<c>services.AddSignalR().AddTessera()</c>):
    /// when the login behind it ends (logout, revoke-all, password change, deactivation, a deleted
    /// credential, a retired signing key) or its credential expires, the connection is aborted at
    /// once, and the client is told why before it closes: the close message's error is
    /// <c>token_revoked</c>, <c>token_expired</c> or <c>permission_denied</c>, with no reconnect. Needs
    /// <c>AddTessera(...).AddRealTime()</c>; map the hubs with <see cref="MapTesseraHub{THub}"/>.
    /// </summary>
    public static ISignalRServerBuilder AddTessera(this ISignalRServerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(LiveHubConnections)))
            return builder; // once: a second filter would follow each connection twice
        services.AddSingleton(s => new LiveHubConnections(
            s.GetService<LiveConnections>() ?? throw new InvalidOperationException(MissingRealTime)));
        services.Configure<HubOptions>(o => o.AddFilter<LiveHubConnections>());
        ConnectionRecordingUserIdProvider.Decorate(services);
        return builder;
    }

    /// <summary>
    /// <c>MapHub&lt;THub&gt;</c> for a Tessera-authenticated hub: an admitted user is required (401 at
    /// negotiate and connect otherwise, in DRF's words), the ticket of <c>POST /api/ws-ticket/</c> is
    /// accepted there, a session cookie only with an allowed <c>Origin</c>, and a JWT may come as the
    /// <c>access_token</c> query parameter (SignalR's JavaScript client sends it so on WebSockets and
    /// Server-Sent Events), kept out of the logs.
    /// </summary>
    public static HubEndpointConventionBuilder MapTesseraHub<THub>(this IEndpointRouteBuilder routes, string pattern,
        Action<HttpConnectionDispatcherOptions>? configure = null) where THub : Hub
    {
        ArgumentNullException.ThrowIfNull(routes);
        // Fail at start, not at the first connection: without these nothing would end the connections.
        if (routes.ServiceProvider.GetService<LiveConnections>() is null)
            throw new InvalidOperationException(MissingRealTime);
        if (routes.ServiceProvider.GetService<LiveHubConnections>() is null)
            throw new InvalidOperationException("MapTesseraHub needs services.AddSignalR().AddTessera().");

        var hub = routes.MapHub<THub>(pattern, configure ?? (_ => { }));
        hub.RequireAuthorization().AllowAccessTokenInQuery();
        hub.Add(endpoint =>
        {
            endpoint.Metadata.Add(RealTimeEndpointMetadata.Instance);
            HubRequestUser.Carry(endpoint);
        });
        return hub;
    }

    private const string MissingRealTime = "SignalR with Tessera needs AddTessera(...).AddRealTime().";
}
