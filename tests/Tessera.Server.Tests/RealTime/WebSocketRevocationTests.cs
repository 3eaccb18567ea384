using System.Net.Http.Headers;
using System.Net.WebSockets;
using Tessera.Server.Tests.Infrastructure;
using Tessera.Server.Tests.SigningKeys;
using static Tessera.Server.Tests.RealTime.WebSocketKit;

namespace Tessera.Server.Tests.RealTime;

/// <summary>Two instances of one deployment: sockets are opened on B, every login is ended on A.</summary>
public sealed class SocketCluster : IAsyncLifetime
{
    public const string AllowedOrigin = "http://localhost:3000";

    public TesseraServer A { get; private set; } = null!;

    public TesseraServer B { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        A = new TesseraServer();
        Configure(A);
        await A.InitializeAsync();
        B = A.AnotherInstance();
        Configure(B);
        await B.InitializeAsync();
    }

    /// <summary>
    /// On SQLite B hears of A's changes by reading the feed, here every 100 ms (500 by default) so the
    /// one-second bound does not hang on a poll; on PostgreSQL they come by Redis.
    /// </summary>
    public static void Configure(TesseraServer server)
    {
        server.Settings["Tessera:Revocation:PollInterval"] = "00:00:00.100";
        server.Settings["Tessera:Cors:AllowedOrigins:0"] = AllowedOrigin;
    }

    public async Task DisposeAsync()
    {
        await B.DisposeAsync();
        await A.DisposeAsync();
    }
}

/// <summary>
/// An open WebSocket follows its login: whichever way the login ends, on whichever instance, the
/// socket is closed with 4401 <c>token_revoked</c> within a second, and no one else's socket is.
/// </summary>
public sealed class WebSocketRevocationTests(SocketCluster cluster) : IClassFixture<SocketCluster>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(1);

    private TesseraServer A => cluster.A;

    private TesseraServer B => cluster.B;

    [Fact]
    public async Task A_jwt_logout_on_one_instance_closes_the_socket_on_the_other_and_no_one_elses()
    {
        var user = await A.RegisterAsync("wsl");
        var other = await A.RegisterAsync("wso");
        using var ws = await OpenEchoAsync(B.BaseAddress, user.Username, Bearer(user.Access));
        using var bystander = await OpenEchoAsync(B.BaseAddress, other.Username, Bearer(other.Access));
        await AssertEchoesAsync(ws);

        using var client = A.CreateClient();
        Assert.Equal(205, (await client.PostJsonAsync("/api/logout/", new { refresh = user.Refresh }, user.Bearer)).Status);

        await ExpectClosedAsync(ws, 4401, "token_revoked", Bound);
        await AssertEchoesAsync(bystander);
    }

    [Fact]
    public async Task Revoke_all_closes_every_socket_of_the_user()
    {
        var user = await A.RegisterAsync("wsr");
        using var first = await OpenEchoAsync(B.BaseAddress, user.Username, Bearer(user.Access));
        using var second = await OpenEchoAsync(A.BaseAddress, user.Username, Bearer(user.Access));

        using var client = A.CreateClient();
        Assert.InRange((await client.PostJsonAsync("/api/token/revoke-all/", null, user.Bearer)).Status, 200, 205);

        await ExpectClosedAsync(first, 4401, "token_revoked", Bound);
        await ExpectClosedAsync(second, 4401, "token_revoked", Bound);
    }

    [Fact]
    public async Task A_password_change_closes_the_socket()
    {
        var user = await A.RegisterAsync("wsp");
        using var ws = await OpenEchoAsync(B.BaseAddress, user.Username, Bearer(user.Access));

        using var client = A.CreateClient();
        var changed = await client.PostJsonAsync("/api/password/change/", new { old_password = user.Password, new_password = "N3w-" + Guid.NewGuid().ToString("N")[..12] }, user.Bearer);
        Assert.Equal(200, changed.Status);

        await ExpectClosedAsync(ws, 4401, "token_revoked", Bound);
        // The pair the change handed out opens a socket again.
        using var again = await OpenEchoAsync(B.BaseAddress, user.Username, Bearer(changed.Str("access")!));
    }

    [Fact]
    public async Task A_deactivation_closes_the_sockets_of_the_user_and_of_their_api_key()
    {
        var user = await A.RegisterAsync("wsd");
        var key = await CreateApiKeyAsync(user);
        using var jwt = await OpenEchoAsync(B.BaseAddress, user.Username, Bearer(user.Access));
        using var byKey = await OpenEchoAsync(B.BaseAddress, user.Username, o => o.SetRequestHeader("X-API-Key", key));

        await A.AdministerAsync(admin => admin.SetActiveAsync(user.Username, active: false));

        await ExpectClosedAsync(jwt, 4401, "token_revoked", Bound);
        await ExpectClosedAsync(byKey, 4401, "token_revoked", Bound);
    }

    [Fact]
    public async Task Deleting_the_drf_token_closes_its_socket_and_not_the_users_other_one()
    {
        var user = await A.RegisterAsync("wst");
        using var client = A.CreateClient();
        var obtained = await client.PostJsonAsync("/api-token-auth/", new { username = user.Username, password = user.Password });
        Assert.Equal(200, obtained.Status);
        var token = obtained.Str("token")!;
        using var byToken = await OpenEchoAsync(B.BaseAddress, user.Username, o => o.SetRequestHeader("Authorization", $"Token {token}"));
        using var byJwt = await OpenEchoAsync(B.BaseAddress, user.Username, Bearer(user.Access));

        var prefix = (await client.GetJsonAsync("/api/tokens/", user.Bearer)).Json[0].GetProperty("prefix").GetString();
        Assert.Equal(204, (await client.SendJsonAsync(HttpMethod.Delete, $"/api/tokens/{prefix}/", auth: user.Bearer)).Status);

        await ExpectClosedAsync(byToken, 4401, "token_revoked", Bound);
        await AssertEchoesAsync(byJwt); // a login of its own
    }

    [Fact]
    public async Task Deleting_the_api_key_closes_its_socket()
    {
        var user = await A.RegisterAsync("wsk");
        var key = await CreateApiKeyAsync(user);
        using var ws = await OpenEchoAsync(B.BaseAddress, user.Username, o => o.SetRequestHeader("X-API-Key", key));

        using var client = A.CreateClient();
        var prefix = (await client.GetJsonAsync("/api/api-key/", user.Bearer)).Json[0].GetProperty("prefix").GetString();
        Assert.Equal(204, (await client.SendJsonAsync(HttpMethod.Delete, $"/api/api-key/{prefix}/", auth: user.Bearer)).Status);

        await ExpectClosedAsync(ws, 4401, "token_revoked", Bound);
    }

    [Fact]
    public async Task A_session_logout_closes_the_browsers_socket()
    {
        var user = await A.RegisterAsync("wss");
        var browser = new Browser(A);
        await browser.GetCsrfAsync();
        Assert.Equal(200, (await browser.LoginAsync(user.Username, user.Password)).Status);
        using var ws = await OpenEchoAsync(B.BaseAddress, user.Username, o =>
        {
            o.SetRequestHeader("Cookie", CookieHeader(browser));
            o.SetRequestHeader("Origin", SocketCluster.AllowedOrigin);
        });

        Assert.InRange((await browser.LogoutAsync()).Status, 200, 205);

        await ExpectClosedAsync(ws, 4401, "token_revoked", Bound);
    }

    /// <summary>Cross-site WebSocket hijacking: a page of another site opens the socket with the user's cookie.</summary>
    [Fact]
    public async Task A_session_cookie_from_a_foreign_origin_is_refused_without_upgrade()
    {
        var user = await A.RegisterAsync("wsf");
        var browser = new Browser(B);
        await browser.GetCsrfAsync();
        Assert.Equal(200, (await browser.LoginAsync(user.Username, user.Password)).Status);

        var refused = await UpgradeAsync(B.BaseAddress, "/ws/echo/", ("Cookie", CookieHeader(browser)), ("Origin", "http://evil.example"));
        Assert.Equal(403, refused.Status);
        Assert.Equal("""{"detail":"CSRF Failed: Origin checking failed - http://evil.example does not match any trusted origins."}""", refused.Body);

        using var allowed = await OpenEchoAsync(B.BaseAddress, user.Username, o =>
        {
            o.SetRequestHeader("Cookie", CookieHeader(browser));
            o.SetRequestHeader("Origin", SocketCluster.AllowedOrigin);
        });
        using var sameSite = await OpenEchoAsync(B.BaseAddress, user.Username, o =>
        {
            o.SetRequestHeader("Cookie", CookieHeader(browser));
            o.SetRequestHeader("Origin", B.BaseAddress.GetLeftPart(UriPartial.Authority));
        });
        // A header credential is not sent by a browser on its own: any Origin may carry it.
        using var byHeader = await OpenEchoAsync(B.BaseAddress, user.Username, o =>
        {
            Bearer(user.Access)(o);
            o.SetRequestHeader("Origin", "http://evil.example");
        });
    }

    [Fact]
    public async Task Without_credentials_the_handshake_is_refused_with_drfs_401_and_no_upgrade()
    {
        var refused = await UpgradeAsync(B.BaseAddress, "/ws/echo/");
        Assert.Equal(401, refused.Status);
        Assert.Equal("""{"detail":"Authentication credentials were not provided."}""", refused.Body);
    }

    [Fact]
    public async Task An_authenticated_request_that_is_no_upgrade_is_answered_426()
    {
        var user = await A.RegisterAsync("wsn");
        using var client = B.CreateClient();
        var answer = await client.GetJsonAsync("/ws/echo/", user.Bearer);
        Assert.Equal(426, answer.Status);
        Assert.Contains("websocket", answer.Headers.Upgrade.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.False(string.IsNullOrEmpty(answer.Str("detail")));
    }

    [Fact]
    public async Task The_echo_answers_text_binary_and_large_messages_and_closes_1009_over_its_bound()
    {
        var user = await A.RegisterAsync("wsb");
        using var ws = await OpenEchoAsync(B.BaseAddress, user.Username, Bearer(user.Access));
        var large = new string('\u00fc', 20_000); // 40 KB of UTF-8: the buffer grows on the way
        await ws.SendAsync(System.Text.Encoding.UTF8.GetBytes(large), WebSocketMessageType.Text, true, CancellationToken.None);
        Assert.Equal(large, await ReceiveTextAsync(ws, TimeSpan.FromSeconds(5)));
        await ws.SendAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary, true, CancellationToken.None);
        var buffer = new byte[16];
        var binary = await ws.ReceiveAsync(buffer, CancellationToken.None);
        Assert.Equal((WebSocketMessageType.Binary, 3), (binary.MessageType, binary.Count));
        Assert.Equal(new byte[] { 1, 2, 3 }, buffer[..3]);

        await ws.SendAsync(new byte[Samples.EchoEndpoints.MaxMessageBytes + 1], WebSocketMessageType.Binary, true, CancellationToken.None);
        await ExpectClosedAsync(ws, 1009, $"Messages are at most {Samples.EchoEndpoints.MaxMessageBytes} bytes.", TimeSpan.FromSeconds(5));
    }

    /// <summary>Sockets of several users on both instances, one user revoked: theirs close, every other one echoes.</summary>
    [Fact]
    public async Task Revoking_one_user_closes_only_that_users_sockets_among_many()
    {
        var users = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => A.RegisterAsync("wsm")));
        var sockets = await Task.WhenAll(users.SelectMany(u => Enumerable.Range(0, 8).Select(i =>
            OpenEchoAsync((i % 2 == 0 ? A : B).BaseAddress, u.Username, Bearer(u.Access)).ContinueWith(t => (User: u, Socket: t.Result)))));
        try
        {
            await A.AdministerAsync(admin => admin.RevokeAllAsync(users[0].Username));

            await Task.WhenAll(sockets.Where(s => s.User == users[0]).Select(s => ExpectClosedAsync(s.Socket, 4401, "token_revoked", Bound)));
            await Task.WhenAll(sockets.Where(s => s.User != users[0]).Select(s => AssertEchoesAsync(s.Socket)));
            Assert.All(sockets.Where(s => s.User != users[0]), s => Assert.Equal(WebSocketState.Open, s.Socket.State));
        }
        finally
        {
            foreach (var (_, socket) in sockets)
                socket.Dispose();
        }
    }

    private async Task<string> CreateApiKeyAsync(RegisteredUser user)
    {
        using var client = A.CreateClient();
        var created = await client.PostJsonAsync("/api/api-key/", null, user.Bearer);
        Assert.Equal(201, created.Status);
        return created.Str("api_key")!;
    }

    private static string CookieHeader(Browser browser) => string.Join("; ", browser.Cookies.Select(kv => $"{kv.Key}={kv.Value}"));
}

/// <summary>Key retirement ends what the key proved: RS256, a key ring, two instances.</summary>
public sealed class WebSocketSigningKeyTests
{
    [Fact]
    public async Task Retiring_the_signing_key_closes_the_sockets_its_tokens_opened_on_the_other_instance()
    {
        await using var a = new TesseraServer().WithAlgorithm("RS256");
        SocketCluster.Configure(a);
        await a.InitializeAsync();
        await using var b = a.AnotherInstance().WithAlgorithm("RS256");
        SocketCluster.Configure(b);
        await b.InitializeAsync();
        var user = await a.RegisterAsync("wsg");
        using var ws = await OpenEchoAsync(b.BaseAddress, user.Username, Bearer(user.Access));

        Assert.True(await a.RetireAsync(SigningKeyKit.Kid(user.Access)));

        await ExpectClosedAsync(ws, 4401, "token_revoked", TimeSpan.FromSeconds(1));
    }
}
