using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tessera.AspNetCore.Authentication;
using Tessera.AspNetCore.Http;

namespace Tessera.AspNetCore.RealTime;

public static class TesseraWebSocketEndpoints
{
    internal const string UpgradeRequired = "This endpoint speaks WebSocket only: send an upgrade request.";

    /// <summary>
    /// A WebSocket endpoint whose handshake is authenticated by Tessera's chain and gate like any
    /// request (refused with DRF's 401/403 and no upgrade; a cookie credential from a foreign
    /// <c>Origin</c> refused with 403), whose socket Tessera closes the moment the access ends: 4401
    /// <c>token_revoked</c> when its login ends on any instance, 4401 <c>token_expired</c> when its
    /// credential expires, 4403 <c>permission_denied</c> when the endpoint's policy no longer admits
    /// the user; then <see cref="TesseraWebSocketContext.AccessEnded"/> fires. Requires an
    /// authenticated user (add a policy with <c>RequireAuthorization(...)</c>); a request that is not
    /// an upgrade is answered 426. Needs <c>AddRealTime()</c> and <c>UseTessera()</c>.
    /// </summary>
    public static IEndpointConventionBuilder MapTesseraWebSocket(this IEndpointRouteBuilder routes, string pattern, Func<TesseraWebSocketContext, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(routes);
        ArgumentNullException.ThrowIfNull(handler);
        var builder = routes.Map(pattern, context => ServeAsync(context, handler));
        builder.RequireAuthorization();
        builder.Add(endpoint => endpoint.Metadata.Add(RealTimeEndpointMetadata.Instance));
        return builder;
    }

    private static async Task ServeAsync(HttpContext context, Func<TesseraWebSocketContext, Task> handler)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.Headers.Upgrade = "websocket";
            context.Response.Headers.Connection = "Upgrade";
            await ApiResults.WriteDetailAsync(context.Response, StatusCodes.Status426UpgradeRequired, UpgradeRequired).ConfigureAwait(false);
            return;
        }
        var user = context.GetTesseraUser();
        var services = context.RequestServices;
        var live = services.GetService<LiveConnections>()
            ?? throw new InvalidOperationException("MapTesseraWebSocket needs AddTessera(...).AddRealTime().");
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Tessera.RealTime.WebSocket");
        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        var session = new WebSocketSession(socket, logger);
        using (live.Register(context, user, session))
        {
            try
            {
                await handler(new TesseraWebSocketContext(socket, user, context, session.AccessEnded)).ConfigureAwait(false);
            }
            catch (Exception e) when (IsGone(e, socket, session, context))
            {
                // The client vanished or Tessera ended the access: the handler was cut off mid-call, as expected.
                logger.LogDebug(e, "A WebSocket handler stopped as its connection ended.");
            }
        }
        await session.CompleteAsync().ConfigureAwait(false);
    }

    private static bool IsGone(Exception e, WebSocket socket, WebSocketSession session, HttpContext context)
        => e is WebSocketException or IOException or Microsoft.AspNetCore.Connections.ConnectionAbortedException
           || (e is OperationCanceledException && (session.AccessEnded.IsCancellationRequested || context.RequestAborted.IsCancellationRequested))
           || socket.State is not WebSocketState.Open;
}
