using Microsoft.AspNetCore.SignalR;

namespace Tessera.AspNetCore.RealTime.SignalR;

/// <summary>
/// The hub filter of <see cref="TesseraSignalRExtensions.AddTessera"/>: registers each connection
/// that has a Tessera user with <see cref="LiveConnections"/> before the hub's own
/// <c>OnConnectedAsync</c>, and lets it go when the connection ends. Connections without one (a hub
/// the app mapped for anonymous users) are left alone.
/// </summary>
internal sealed class LiveHubConnections(LiveConnections connections) : IHubFilter
{
    private static readonly object RegistrationKey = new();

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        var caller = context.Context;
        if (caller.GetHttpContext() is { } http && HubRequestUser.Of(http) is { } user)
            caller.Items[RegistrationKey] = connections.Register(http, user, new LiveHubConnection(caller, ConnectionRecordingUserIdProvider.ConnectionOf(caller)));
        try
        {
            await next(context);
        }
        catch
        {
            // SignalR runs no OnDisconnectedAsync after a failed OnConnectedAsync.
            Release(caller);
            throw;
        }
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        try
        {
            await next(context, exception);
        }
        finally
        {
            Release(context.Context);
        }
    }

    private static void Release(HubCallerContext caller)
    {
        if (caller.Items.Remove(RegistrationKey, out var registration))
            ((IDisposable)registration!).Dispose();
    }
}
