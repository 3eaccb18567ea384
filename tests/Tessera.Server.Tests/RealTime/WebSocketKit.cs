using System.Diagnostics;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Tessera.Server.Tests.RealTime;

/// <summary>A client of the server's <c>/ws/echo/</c> (System.Net's ClientWebSocket) and what tests expect of it.</summary>
internal static class WebSocketKit
{
    public static Uri WsUri(Uri baseAddress, string path = "/ws/echo/")
        => new(new Uri(baseAddress.ToString().Replace("http://", "ws://", StringComparison.Ordinal)), path);

    /// <summary>Opens the echo socket with these headers and reads its welcome, which must name <paramref name="username"/>.</summary>
    public static async Task<ClientWebSocket> OpenEchoAsync(Uri baseAddress, string username, Action<ClientWebSocketOptions> headers, string path = "/ws/echo/")
    {
        var ws = new ClientWebSocket();
        headers(ws.Options);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await ws.ConnectAsync(WsUri(baseAddress, path), timeout.Token);
        var welcome = await ReceiveTextAsync(ws, TimeSpan.FromSeconds(5));
        var json = JsonDocument.Parse(welcome).RootElement;
        Assert.Equal("welcome", json.GetProperty("type").GetString());
        Assert.Equal(username, json.GetProperty("user").GetString());
        return ws;
    }

    public static Action<ClientWebSocketOptions> Bearer(string access) => o => o.SetRequestHeader("Authorization", $"Bearer {access}");

    public static async Task<string> ReceiveTextAsync(ClientWebSocket ws, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        var buffer = new byte[64 * 1024];
        var length = 0;
        WebSocketReceiveResult result;
        do
        {
            result = await ws.ReceiveAsync(new ArraySegment<byte>(buffer, length, buffer.Length - length), timeout.Token);
            length += result.Count;
        }
        while (!result.EndOfMessage);
        Assert.Equal(WebSocketMessageType.Text, result.MessageType);
        return Encoding.UTF8.GetString(buffer, 0, length);
    }

    /// <summary>The socket still works: a text sent comes back.</summary>
    public static async Task AssertEchoesAsync(ClientWebSocket ws)
    {
        var text = "still here " + Guid.NewGuid().ToString("N")[..6];
        await ws.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);
        Assert.Equal(text, await ReceiveTextAsync(ws, TimeSpan.FromSeconds(5)));
    }

    /// <summary>
    /// Reads until the server's close frame, which must come within <paramref name="within"/> (of now)
    /// with this code and reason; answers it, as a client does. Returns how long it took.
    /// </summary>
    public static async Task<TimeSpan> ExpectClosedAsync(ClientWebSocket ws, int code, string reason, TimeSpan within)
    {
        var started = Stopwatch.StartNew();
        using var timeout = new CancellationTokenSource(within);
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var result = await ws.ReceiveAsync(buffer, timeout.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                    break;
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"no close frame within {within}");
        }
        var took = started.Elapsed;
        Assert.Equal((WebSocketCloseStatus)code, ws.CloseStatus);
        Assert.Equal(reason, ws.CloseStatusDescription);
        if (ws.State == WebSocketState.CloseReceived)
            await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        return took;
    }

    /// <summary>
    /// A WebSocket handshake written by hand, to read a refusal as the client gets it (ClientWebSocket
    /// only says it was not 101): the status, and the body (de-chunked). 101 when it upgraded.
    /// </summary>
    public static async Task<(int Status, string Head, string Body)> UpgradeAsync(Uri baseAddress, string path, params (string Name, string Value)[] headers)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(baseAddress.Host, baseAddress.Port);
        await using var stream = tcp.GetStream();
        var request = new StringBuilder($"GET {path} HTTP/1.1\r\nHost: {baseAddress.Authority}\r\nConnection: Upgrade, close\r\nUpgrade: websocket\r\n"
            + $"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: {Convert.ToBase64String(Guid.NewGuid().ToByteArray())}\r\n");
        foreach (var (name, value) in headers)
            request.Append($"{name}: {value}\r\n");
        request.Append("\r\n");
        await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var received = new MemoryStream();
        var buffer = new byte[4096];
        while (true)
        {
            int n;
            try { n = await stream.ReadAsync(buffer, timeout.Token); }
            catch (OperationCanceledException) { break; } // upgraded: the server keeps the connection
            if (n == 0)
                break;
            received.Write(buffer, 0, n);
        }
        var response = Encoding.UTF8.GetString(received.ToArray());
        var split = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = split < 0 ? response : response[..split];
        var body = split < 0 ? "" : response[(split + 4)..];
        if (head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
            body = Dechunk(body);
        return (int.Parse(head.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), head, body);
    }

    private static string Dechunk(string body)
    {
        var text = new StringBuilder();
        var at = 0;
        while (true)
        {
            var end = body.IndexOf("\r\n", at, StringComparison.Ordinal);
            if (end < 0)
                return text.ToString();
            var size = Convert.ToInt32(body[at..end], 16);
            if (size == 0)
                return text.ToString();
            text.Append(body, end + 2, size);
            at = end + 2 + size + 2;
        }
    }
}
