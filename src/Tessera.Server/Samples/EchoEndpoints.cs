using System.Net.WebSockets;
using System.Text.Json;
using Tessera.AspNetCore.RealTime;

namespace Tessera.Server.Samples;

/// <summary>
/// The seed's WebSocket (<c>GET /ws/echo/</c>): a welcome naming the user, then every message echoed
/// as it came (text as text, binary as binary), until the client closes or Tessera ends the access.
/// </summary>
public static class EchoEndpoints
{
    /// <summary>The largest message echoed; a larger one closes the socket with 1009 (message too big).</summary>
    public const int MaxMessageBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapEchoEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapTesseraWebSocket("/ws/echo/", EchoAsync);
        return routes;
    }

    private static async Task EchoAsync(TesseraWebSocketContext context)
    {
        var socket = context.WebSocket;
        var welcome = JsonSerializer.SerializeToUtf8Bytes(new { type = "welcome", user = context.User.User.Username });
        await socket.SendAsync(welcome, WebSocketMessageType.Text, endOfMessage: true, context.AccessEnded);
        var buffer = new byte[MaxMessageBytes];
        while (true)
        {
            // Not cancelled by AccessEnded: Tessera's close frame ends the conversation, and the
            // client's answer to it arrives here as a close.
            var length = 0;
            ValueWebSocketReceiveResult received;
            do
            {
                if (length == buffer.Length)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, $"Messages are at most {MaxMessageBytes} bytes.", CancellationToken.None);
                    return;
                }
                received = await socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                length += received.Count;
            }
            while (!received.EndOfMessage && received.MessageType != WebSocketMessageType.Close);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                if (socket.State == WebSocketState.CloseReceived)
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                return;
            }
            if (context.AccessEnded.IsCancellationRequested)
                continue; // the close is out: what the client sent meanwhile is not answered
            await socket.SendAsync(buffer.AsMemory(0, length), received.MessageType, endOfMessage: true, context.AccessEnded);
        }
    }
}
