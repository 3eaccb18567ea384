using System.Buffers;
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
        while (true)
        {
            // An idle socket holds no buffer: a read of zero bytes waits for the next frame, and a buffer
            // is rented only for the message that comes. Not cancelled by AccessEnded: Tessera's close
            // frame ends the conversation, and the client's answer to it arrives here as a close.
            var first = await socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None);
            if (first.MessageType == WebSocketMessageType.Close)
            {
                await AnswerCloseAsync(socket);
                return;
            }
            var buffer = ArrayPool<byte>.Shared.Rent(4096);
            try
            {
                var length = 0;
                var received = first;
                while (!received.EndOfMessage)
                {
                    if (length == buffer.Length)
                    {
                        if (length >= MaxMessageBytes)
                        {
                            await socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, $"Messages are at most {MaxMessageBytes} bytes.", CancellationToken.None);
                            return;
                        }
                        var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, MaxMessageBytes));
                        buffer.AsSpan(0, length).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                    received = await socket.ReceiveAsync(buffer.AsMemory(length, Math.Min(buffer.Length, MaxMessageBytes) - length), CancellationToken.None);
                    if (received.MessageType == WebSocketMessageType.Close)
                    {
                        await AnswerCloseAsync(socket);
                        return;
                    }
                    length += received.Count;
                }
                if (!context.AccessEnded.IsCancellationRequested) // the close is out: what came meanwhile is not answered
                    await socket.SendAsync(buffer.AsMemory(0, length), first.MessageType, endOfMessage: true, context.AccessEnded);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>The client's close answered, unless it answers Tessera's own (the socket is closed then).</summary>
    private static async Task AnswerCloseAsync(WebSocket socket)
    {
        if (socket.State == WebSocketState.CloseReceived)
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
    }
}
