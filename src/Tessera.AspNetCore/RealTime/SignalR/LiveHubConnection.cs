using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Tessera.AspNetCore.RealTime.SignalR;

/// <summary>
/// A hub connection as <see cref="LiveConnections"/> ends it. <see cref="HubCallerContext.Abort"/>
/// alone reaches the client as a close message without an error (the .NET client's <c>Closed</c>
/// with null, as after a server's own stop), so first the close message is written with the reason
/// as its error, as SignalR itself does when a hub fails: the client then closes with
/// "The server closed the connection with the following error: token_revoked" and does not
/// reconnect. SignalR's own close message, written after the abort, is never read.
/// </summary>
internal sealed class LiveHubConnection(HubCallerContext caller, HubConnectionContext? connection) : ILiveConnection
{
    // The connection is taken when the hub connects, not here: End runs on another thread, and the
    // connection's items are a plain dictionary that the hub's own code may be writing.
    public void End(LiveConnectionEnd end)
    {
        if (connection is not null)
        {
            try
            {
                // Written at once unless another write holds the connection (a slow client): then the
                // abort below cancels it, and the client sees the close without the reason.
                var written = connection.WriteAsync(new CloseMessage(end.Reason, allowReconnect: false));
                if (!written.IsCompleted)
                    _ = written.AsTask();
            }
            catch (Exception)
            {
                // Best effort: the abort is what matters, and End must not throw.
            }
        }
        caller.Abort();
    }
}
