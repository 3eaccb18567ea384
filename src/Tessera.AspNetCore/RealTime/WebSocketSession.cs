using System.Net.WebSockets;
using Microsoft.Extensions.Logging;

namespace Tessera.AspNetCore.RealTime;

/// <summary>
/// One accepted socket as a live connection: ending it sends the close frame with the code and
/// reason, then fires <see cref="AccessEnded"/>, and aborts the socket if the client has not
/// completed the close in <see cref="CloseTimeout"/>. The close may be sent while the handler is in
/// <c>ReceiveAsync</c> or <c>SendAsync</c>: the managed socket serializes its frames (its send
/// mutex exists for pings and closes concurrent with a send), so a frame is never interleaved.
/// </summary>
internal sealed class WebSocketSession(WebSocket socket, ILogger logger) : ILiveConnection
{
    /// <summary>How long the client has to answer a close before the socket is aborted.</summary>
    internal static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _accessEnded = new();
    private readonly TaskCompletionSource _closeSent = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _ending;

    public CancellationToken AccessEnded => _accessEnded.Token;

    public void End(LiveConnectionEnd end) => Volatile.Write(ref _ending, EndAsync(end));

    private async Task EndAsync(LiveConnectionEnd end)
    {
        await Task.Yield(); // never on the thread that applies admission changes
        try
        {
            using var timeout = new CancellationTokenSource(CloseTimeout);
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                await socket.CloseOutputAsync((WebSocketCloseStatus)end.CloseCode, end.Reason, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException or IOException)
        {
            // The client vanished, or the handler closed first: nothing left to tell it.
            logger.LogDebug(e, "The close frame {Code} {Reason} was not sent.", end.CloseCode, end.Reason);
        }
        _closeSent.TrySetResult();
        try
        {
            await _accessEnded.CancelAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // A handler's callback on AccessEnded that throws: the socket still closes.
            logger.LogError(e, "A callback on AccessEnded threw.");
        }
        // The handler reads the client's answer to the close; one that does not get it in time is cut off.
        var deadline = DateTime.UtcNow + CloseTimeout;
        while (socket.State is WebSocketState.CloseSent or WebSocketState.Open && DateTime.UtcNow < deadline)
            await Task.Delay(50).ConfigureAwait(false);
        if (socket.State is not (WebSocketState.Closed or WebSocketState.Aborted))
            socket.Abort();
    }

    /// <summary>
    /// After the handler returned: the socket closed normally when it is still open, the client's
    /// answer awaited for a moment, and an ending in progress let finish.
    /// </summary>
    public async Task CompleteAsync()
    {
        var ending = Volatile.Read(ref _ending);
        if (ending is not null)
            await _closeSent.Task.ConfigureAwait(false); // its close first, so the normal one is not sent instead
        try
        {
            using var timeout = new CancellationTokenSource(CloseTimeout);
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
            else if (socket.State == WebSocketState.CloseSent)
            {
                // Tessera's close is out and nobody reads: read until the client's answer.
                var buffer = new byte[256];
                while (socket.State == WebSocketState.CloseSent)
                    await socket.ReceiveAsync(buffer, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException or IOException)
        {
            socket.Abort();
        }
        if (ending is not null)
            await ending.ConfigureAwait(false);
    }
}
