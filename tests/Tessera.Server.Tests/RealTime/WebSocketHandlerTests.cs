using System.Net.Http.Headers;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Tessera.AspNetCore.RealTime;
using Tessera.Server.Tests.Infrastructure;
using Tessera.Server.Tests.Library;
using static Tessera.Server.Tests.RealTime.WebSocketKit;

namespace Tessera.Server.Tests.RealTime;

/// <summary>What an app's handler may be doing when the access ends or the client goes: none of it is a fault.</summary>
public sealed class WebSocketHandlerTests
{
    /// <summary>
    /// A handler that sends without pause (a feed): Tessera's close frame goes out between two of its
    /// sends (the socket serializes frames), the handler's next send fails as the socket is closing,
    /// and nothing is logged as an error.
    /// </summary>
    [Fact]
    public async Task The_close_reaches_the_client_within_a_second_while_the_handler_is_sending()
    {
        var sending = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var host = new LibraryHost(t => t.AddJwt().AddRealTime(), app => app.MapTesseraWebSocket("/ws/feed/", async context =>
        {
            var chunk = new byte[16 * 1024];
            sending.TrySetResult();
            while (true)
                await context.WebSocket.SendAsync(chunk, WebSocketMessageType.Binary, true, CancellationToken.None);
        }));
        await host.InitializeAsync();
        try
        {
            var (access, refresh) = await RegisterAsync(host);
            using var ws = new ClientWebSocket();
            Bearer(access)(ws.Options);
            await ws.ConnectAsync(WsUri(host.Client.BaseAddress!, "/ws/feed/"), CancellationToken.None);
            await sending.Task.WaitAsync(TimeSpan.FromSeconds(5));

            Assert.Equal(205, (await host.Client.PostJsonAsync("/api/logout/", new { refresh }, new AuthenticationHeaderValue("Bearer", access))).Status);

            await ExpectClosedAsync(ws, 4401, "token_revoked", TimeSpan.FromSeconds(1));
            await Task.Delay(300); // the handler's failed send and the end of the request
            Assert.Empty(Faults(host));
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    /// <summary>A client that drops the connection mid-conversation: the handler's receive fails, and that is no error.</summary>
    [Fact]
    public async Task A_client_that_vanishes_leaves_no_error_and_no_followed_connection()
    {
        var handlerEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var host = new LibraryHost(t => t.AddJwt().AddRealTime(), app => app.MapTesseraWebSocket("/ws/wait/", async context =>
        {
            try
            {
                var buffer = new byte[1024];
                while ((await context.WebSocket.ReceiveAsync(buffer, CancellationToken.None)).MessageType != WebSocketMessageType.Close)
                {
                }
            }
            finally
            {
                handlerEnded.TrySetResult();
            }
        }));
        await host.InitializeAsync();
        try
        {
            var (access, _) = await RegisterAsync(host);
            var ws = new ClientWebSocket();
            Bearer(access)(ws.Options);
            await ws.ConnectAsync(WsUri(host.Client.BaseAddress!, "/ws/wait/"), CancellationToken.None);
            var live = (LiveConnections)host.App.Services.GetService(typeof(LiveConnections))!;
            Assert.Equal(1, live.Count);

            ws.Abort(); // no close frame: the TCP connection just ends
            ws.Dispose();

            await handlerEnded.Task.WaitAsync(TimeSpan.FromSeconds(5));
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
            while (live.Count > 0 && DateTime.UtcNow < deadline)
                await Task.Delay(20);
            Assert.Equal(0, live.Count);
            Assert.Empty(Faults(host));
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    /// <summary>What the app logged as a fault once started (the settings check speaks at start, of the test's own settings).</summary>
    private static IEnumerable<string> Faults(LibraryHost host)
        => host.Logs.Entries.Where(e => e.Level >= LogLevel.Warning && e.Category != "Tessera.AspNetCore.Hosting.SettingsCheck").Select(e => $"{e.Category}: {e.Message}");

    private static async Task<(string Access, string Refresh)> RegisterAsync(LibraryHost host)
    {
        var name = "wsh" + Guid.NewGuid().ToString("N")[..8];
        var registered = await host.Client.PostJsonAsync("/api/register/", new { username = name, password = "S3cure-" + Guid.NewGuid().ToString("N")[..12], email = $"{name}@example.com" });
        Assert.True(registered.Status == 201, registered.ToString());
        return (registered.Str("access")!, registered.Str("refresh")!);
    }
}
