using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Tessera.AspNetCore.Authorization;
using Tessera.AspNetCore.RealTime;
using Tessera.Core.Users;
using Tessera.Server.Tests.Infrastructure;
using Tessera.Server.Tests.Library;
using static Tessera.Server.Tests.RealTime.WebSocketKit;

namespace Tessera.Server.Tests.RealTime;

/// <summary>A socket ends with its credential's expiry, and when its endpoint's policy stops admitting the user.</summary>
public sealed class WebSocketAccessEndTests
{
    /// <summary>The expiry is a timer of the server's clock: the test fires it instead of waiting fifteen minutes.</summary>
    [Fact]
    public async Task A_socket_is_closed_4401_token_expired_when_its_access_token_expires()
    {
        var timers = new HeldExpiryTimers();
        await using var server = new TesseraServer { ConfigureServices = s => s.AddSingleton<TimeProvider>(timers) };
        await server.InitializeAsync();
        var user = await server.RegisterAsync("wse");
        var other = await server.RegisterAsync("wsx");
        using var ws = await OpenEchoAsync(server.BaseAddress, user.Username, Bearer(user.Access));
        var expiry = Assert.Single(timers.Held);
        // Due when the token's exp comes (15 minutes, less what the test took).
        Assert.InRange(expiry.DueTime, TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(15));
        using var bystander = await OpenEchoAsync(server.BaseAddress, other.Username, Bearer(other.Access));

        expiry.Fire();

        await ExpectClosedAsync(ws, 4401, "token_expired", TimeSpan.FromSeconds(1));
        await AssertEchoesAsync(bystander);
    }

    [Fact]
    public async Task An_api_key_socket_has_no_expiry_timer()
    {
        var timers = new HeldExpiryTimers();
        await using var server = new TesseraServer { ConfigureServices = s => s.AddSingleton<TimeProvider>(timers) };
        await server.InitializeAsync();
        var user = await server.RegisterAsync("wsa");
        using var client = server.CreateClient();
        var key = (await client.PostJsonAsync("/api/api-key/", null, user.Bearer)).Str("api_key")!;
        using var ws = await OpenEchoAsync(server.BaseAddress, user.Username, o => o.SetRequestHeader("X-API-Key", key));
        Assert.Empty(timers.Held);
        await AssertEchoesAsync(ws);
    }

    /// <summary>
    /// A session of 60 days outlives the longest wait of one timer (about 49.7 days, past which the
    /// runtime refuses a timer): its socket opens, and its expiry is reached in two steps.
    /// </summary>
    [Fact]
    public async Task A_credential_that_outlives_one_timer_is_expired_in_steps()
    {
        var timers = new HeldExpiryTimers();
        await using var server = new TesseraServer { ConfigureServices = s => s.AddSingleton<TimeProvider>(timers) };
        server.Settings["Tessera:Sessions:Lifetime"] = "60.00:00:00";
        await server.InitializeAsync();
        var user = await server.RegisterAsync("wsl");
        var browser = new Browser(server);
        await browser.GetCsrfAsync();
        Assert.Equal(200, (await browser.LoginAsync(user.Username, user.Password)).Status);
        var cookie = string.Join("; ", browser.Cookies.Select(kv => $"{kv.Key}={kv.Value}"));
        using var ws = await OpenEchoAsync(server.BaseAddress, user.Username, o => o.SetRequestHeader("Cookie", cookie));

        var step = Assert.Single(timers.Held);
        Assert.Equal(LiveConnection.LongestTimerDue, step.DueTime);
        timers.Offset = LiveConnection.LongestTimerDue; // the step's time has come
        step.Fire();
        var rest = Assert.Single(timers.Held);
        Assert.InRange(rest.DueTime, TimeSpan.FromDays(60) - LiveConnection.LongestTimerDue - TimeSpan.FromMinutes(1), TimeSpan.FromDays(60) - LiveConnection.LongestTimerDue);
        await AssertEchoesAsync(ws);

        rest.Fire();

        await ExpectClosedAsync(ws, 4401, "token_expired", TimeSpan.FromSeconds(1));
    }

    /// <summary>
    /// A full reload of memory (after the feed was silent too long) tells no change one by one: a
    /// login revoked meanwhile must still close its socket, and only its socket.
    /// </summary>
    [Fact]
    public async Task After_a_full_reload_a_socket_whose_login_was_revoked_meanwhile_is_closed()
    {
        await using var server = new TesseraServer();
        await server.InitializeAsync();
        var user = await server.RegisterAsync("wsr");
        var other = await server.RegisterAsync("wso");
        using var ws = await OpenEchoAsync(server.BaseAddress, user.Username, Bearer(user.Access));
        using var bystander = await OpenEchoAsync(server.BaseAddress, other.Username, Bearer(other.Access));
        var login = Assert.IsType<Tessera.Core.Jwt.ValidatedToken>(
            server.Services.GetRequiredService<Tessera.Core.Jwt.TokenValidator>().Validate(user.Access.AsMemory(), null, DateTimeOffset.UtcNow).Token).Login!.Value;

        // What a reload brings: the revocation in memory, no change told for it.
        server.Services.GetRequiredService<Tessera.Core.Revocation.RevocationState>().Revoke(login, DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds());
        await AssertEchoesAsync(ws);
        server.Services.GetRequiredService<Tessera.Core.Revocation.AppliedAdmissionChanges>().RaiseReloaded();

        await ExpectClosedAsync(ws, 4401, "token_revoked", TimeSpan.FromSeconds(1));
        await AssertEchoesAsync(bystander);
    }

    /// <summary>An app's staff-only socket: the user stays admitted, but no longer by the endpoint's policy.</summary>
    [Fact]
    public async Task Removing_staff_closes_a_staff_only_socket_4403_and_leaves_the_users_plain_one_open()
    {
        await using var host = new LibraryHost(t => t.AddJwt().AddRealTime(), app =>
        {
            app.MapTesseraWebSocket("/ws/staff/", EchoUntilClosedAsync).RequireAuthorization(TesseraPolicies.IsAdminUser);
            app.MapTesseraWebSocket("/ws/any/", EchoUntilClosedAsync);
        });
        await host.InitializeAsync();
        var name = "staff" + Guid.NewGuid().ToString("N")[..8];
        await using (var scope = host.App.Services.CreateAsyncScope())
            Assert.True(await scope.ServiceProvider.GetRequiredService<UserAdministration>().CreateSuperuserAsync(name, $"{name}@example.com", "S3cure-password-1"));
        var pair = await host.Client.PostJsonAsync("/api/token/", new { username = name, password = "S3cure-password-1" });
        Assert.Equal(200, pair.Status);
        var access = pair.Str("access")!;
        using var staffOnly = await ConnectAsync(host.Client.BaseAddress!, "/ws/staff/", access);
        using var plain = await ConnectAsync(host.Client.BaseAddress!, "/ws/any/", access);

        await using (var scope = host.App.Services.CreateAsyncScope())
            Assert.True(await scope.ServiceProvider.GetRequiredService<UserAdministration>().SetRolesAsync(name, staff: false, superuser: false));

        await ExpectClosedAsync(staffOnly, 4403, "permission_denied", TimeSpan.FromSeconds(1));
        await AssertEchoesAsync(plain);
        // And the handshake itself is now refused with the ordinary 403.
        var refused = await UpgradeAsync(host.Client.BaseAddress!, "/ws/staff/", ("Authorization", $"Bearer {access}"));
        Assert.Equal(403, refused.Status);
    }

    private static async Task<ClientWebSocket> ConnectAsync(Uri baseAddress, string path, string access)
    {
        var ws = new ClientWebSocket();
        Bearer(access)(ws.Options);
        await ws.ConnectAsync(WsUri(baseAddress, path), CancellationToken.None);
        return ws;
    }

    private static async Task EchoUntilClosedAsync(TesseraWebSocketContext context)
    {
        var buffer = new byte[4096];
        while (true)
        {
            var received = await context.WebSocket.ReceiveAsync(buffer, CancellationToken.None);
            if (received.MessageType == WebSocketMessageType.Close)
                return;
            await context.WebSocket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, context.AccessEnded);
        }
    }

    /// <summary>The system clock (moved on by <see cref="HeldExpiryTimers.Offset"/>), except that the live connections' expiry timers are held for the test to fire.</summary>
    private sealed class HeldExpiryTimers : TimeProvider
    {
        private readonly List<HeldTimer> _held = [];

        /// <summary>How far the clock is ahead of the system's.</summary>
        public TimeSpan Offset { get; set; }

        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;

        public IReadOnlyList<HeldTimer> Held
        {
            get
            {
                lock (_held)
                    return _held.Where(t => !t.Disposed).ToList();
            }
        }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (state is not (LiveConnection or ValueTuple<LiveConnection, TimeProvider, DateTimeOffset>))
                return System.CreateTimer(callback, state, dueTime, period);
            var timer = new HeldTimer(callback, state, dueTime);
            lock (_held)
                _held.Add(timer);
            return timer;
        }
    }

    private sealed class HeldTimer(TimerCallback callback, object? state, TimeSpan dueTime) : ITimer
    {
        public TimeSpan DueTime { get; } = dueTime;

        public bool Disposed { get; private set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period) => false;

        public void Dispose() => Disposed = true;

        public ValueTask DisposeAsync()
        {
            Disposed = true;
            return ValueTask.CompletedTask;
        }
    }
}
