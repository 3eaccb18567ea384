using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.RealTime;

/// <summary>
/// <c>POST /api/ws-ticket/</c> and <c>?ticket=</c>: any credential buys a ticket; a ticket opens one
/// real-time request as the login that asked for it, once, within 30 s, and not after that login
/// ended; it is no credential anywhere else. And <c>?access_token=</c>, only where an endpoint allows it.
/// </summary>
public sealed class TicketsTests : IAsyncLifetime
{
    private const string Refused = "Invalid or expired ticket.";
    private const string NotProvided = "Authentication credentials were not provided.";

    private readonly ShiftedTimeProvider _clock = new();
    private readonly TesseraServer _server = new();

    public Task InitializeAsync()
    {
        _server.ConfigureServices = services => services
            .AddSingleton<TimeProvider>(_clock)
            .AddSingleton<IStartupFilter, TicketsTestEndpoints>();
        return _server.InitializeAsync();
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    /// <summary>The user's credential of each kind, as what a request carries.</summary>
    private async Task<Dictionary<string, Action<HttpRequestMessage>>> CredentialsAsync(RegisteredUser user)
    {
        using var client = _server.CreateClient();
        var browser = new Browser(_server);
        await browser.GetCsrfAsync();
        Assert.Equal(200, (await browser.LoginAsync(user.Username, user.Password)).Status);
        var token = (await client.PostJsonAsync("/api-token-auth/", new { username = user.Username, password = user.Password })).Str("token")!;
        var key = await client.PostJsonAsync("/api/api-key/", new { name = "ws" }, user.Bearer);
        Assert.Equal(201, key.Status);
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user.Username}:{user.Password}"));
        var cookies = string.Join("; ", browser.Cookies.Select(kv => $"{kv.Key}={kv.Value}"));
        return new()
        {
            ["jwt"] = r => r.Headers.Authorization = user.Bearer,
            ["session"] = r =>
            {
                r.Headers.Add("Cookie", cookies);
                r.Headers.Add("X-CSRFToken", browser.Cookies["csrftoken"]);
            },
            ["token"] = r => r.Headers.Authorization = new AuthenticationHeaderValue("Token", token),
            ["basic"] = r => r.Headers.Authorization = new AuthenticationHeaderValue("Basic", basic),
            ["api_key"] = r => r.Headers.Add("X-API-Key", key.Str("api_key")),
        };
    }

    private async Task<ApiResponse> AskAsync(Action<HttpRequestMessage> credential, TesseraServer? on = null)
    {
        using var client = (on ?? _server).CreateClient();
        return await client.SendJsonAsync(HttpMethod.Post, "/api/ws-ticket/", configure: credential);
    }

    private async Task<string> TicketAsync(Action<HttpRequestMessage> credential)
    {
        var answer = await AskAsync(credential);
        Assert.True(answer.Status == 201, $"ws-ticket: {answer.Status} {answer.Raw}");
        return answer.Str("ticket")!;
    }

    private async Task<ApiResponse> UseAsync(string ticket, TesseraServer? on = null, string path = TicketsTestEndpoints.RealTime)
    {
        using var client = (on ?? _server).CreateClient();
        return await client.GetJsonAsync($"{path}?ticket={Uri.EscapeDataString(ticket)}");
    }

    [Fact]
    public async Task Every_credential_kind_gets_a_ticket_that_opens_one_request_as_that_same_login()
    {
        var user = await _server.RegisterAsync("ws");
        foreach (var (kind, credential) in await CredentialsAsync(user))
        {
            var answer = await AskAsync(credential);
            Assert.True(answer.Status == 201, $"{kind}: {answer.Status} {answer.Raw}");
            Assert.Equal(["expires_in", "ticket"], answer.Json.EnumerateObject().Select(p => p.Name).Order());
            Assert.Equal(30, answer.Json.GetProperty("expires_in").GetInt32());
            Assert.Equal("no-store", answer.Headers.CacheControl?.ToString());
            var ticket = answer.Str("ticket")!;
            Assert.Matches("^[A-Za-z0-9]{40}$", ticket);

            // The asker's own proof, on the same endpoint, with its header: the ticket's is the same.
            using var client = _server.CreateClient();
            var direct = await client.SendJsonAsync(HttpMethod.Get, TicketsTestEndpoints.RealTime, configure: credential);
            Assert.Equal(200, direct.Status);
            var redeemed = await UseAsync(ticket);
            Assert.True(redeemed.Status == 200, $"{kind}: {redeemed.Status} {redeemed.Raw}");
            foreach (var field in new[] { "user", "scheme", "login", "login_time_ms", "epoch", "expires", "kid" })
                Assert.True(direct.Json.GetProperty(field).ToString() == redeemed.Json.GetProperty(field).ToString(), $"{kind} {field}: {direct.Raw} vs {redeemed.Raw}");
            Assert.Equal(kind, redeemed.Str("scheme"));

            var again = await UseAsync(ticket);
            Assert.Equal((401, Refused), (again.Status, again.Str("detail")));
            Assert.Equal("ticket_not_valid", again.Str("code"));
        }
    }

    [Fact]
    public async Task Unknown_forged_and_anonymous_asks_are_refused()
    {
        Assert.Equal(401, (await AskAsync(_ => { })).Status);
        var forged = await UseAsync(new string('a', 40));
        Assert.Equal((401, Refused), (forged.Status, forged.Str("detail")));
        Assert.Contains("Ticket", forged.Headers.WwwAuthenticate.ToString());
        Assert.Equal(401, (await UseAsync("")).Status); // no ticket: no credentials
    }

    [Fact]
    public async Task Of_many_concurrent_uses_of_one_ticket_exactly_one_succeeds()
    {
        var user = await _server.RegisterAsync("ws");
        for (var round = 0; round < 5; round++)
        {
            var ticket = await TicketAsync(r => r.Headers.Authorization = user.Bearer);
            var statuses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () => (await UseAsync(ticket)).Status)));
            Assert.Equal(1, statuses.Count(s => s == 200));
            Assert.Equal(7, statuses.Count(s => s == 401));
        }
    }

    [Fact]
    public async Task Of_concurrent_uses_on_two_instances_exactly_one_succeeds()
    {
        await using var other = _server.AnotherInstance();
        other.ConfigureServices = services => services.AddSingleton<IStartupFilter, TicketsTestEndpoints>();
        await other.InitializeAsync();
        var user = await _server.RegisterAsync("ws");
        for (var round = 0; round < 5; round++)
        {
            var ticket = await TicketAsync(r => r.Headers.Authorization = user.Bearer);
            var statuses = await Task.WhenAll(
                Enumerable.Range(0, 6).Select(i => Task.Run(async () => (await UseAsync(ticket, i % 2 == 0 ? _server : other)).Status)));
            Assert.Equal(1, statuses.Count(s => s == 200));
            Assert.Equal(5, statuses.Count(s => s == 401));
        }
    }

    [Fact]
    public async Task A_ticket_expires_after_30_seconds()
    {
        var user = await _server.RegisterAsync("ws");
        var late = await TicketAsync(r => r.Headers.Authorization = user.Bearer);
        var inTime = await TicketAsync(r => r.Headers.Authorization = user.Bearer);
        _clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(200, (await UseAsync(inTime)).Status);
        _clock.Advance(TimeSpan.FromSeconds(2));
        var expired = await UseAsync(late);
        Assert.Equal((401, Refused), (expired.Status, expired.Str("detail")));
    }

    [Fact]
    public async Task A_ticket_never_outlives_the_credential_that_asked_for_it()
    {
        var user = await _server.RegisterAsync("ws");
        // 10 s before the access token expires, its ticket lives 10 s, not 30.
        var payload = user.Access.Split('.')[1].Replace('-', '+').Replace('_', '/');
        var exp = System.Text.Json.JsonDocument.Parse(Convert.FromBase64String(payload.PadRight((payload.Length + 3) / 4 * 4, '='))).RootElement.GetProperty("exp").GetInt64();
        _clock.Advance(DateTimeOffset.FromUnixTimeSeconds(exp) - _clock.GetUtcNow() - TimeSpan.FromSeconds(10));
        var answer = await AskAsync(r => r.Headers.Authorization = user.Bearer);
        Assert.Equal(201, answer.Status);
        Assert.InRange(answer.Json.GetProperty("expires_in").GetInt32(), 9, 11);
        _clock.Advance(TimeSpan.FromSeconds(12));
        Assert.Equal(401, (await UseAsync(answer.Str("ticket")!)).Status);
    }

    [Fact]
    public async Task A_ticket_dies_with_the_login_that_asked_for_it()
    {
        using var client = _server.CreateClient();

        var jwt = await _server.RegisterAsync("ws");
        var ofJwt = await TicketAsync(r => r.Headers.Authorization = jwt.Bearer);
        Assert.Equal(205, (await client.PostJsonAsync("/api/logout/", new { refresh = jwt.Refresh }, jwt.Bearer)).Status);
        Assert.Equal((401, Refused), await StatusAndDetailAsync(ofJwt));

        var browserUser = await _server.RegisterAsync("ws");
        var browser = new Browser(_server);
        await browser.GetCsrfAsync();
        Assert.Equal(200, (await browser.LoginAsync(browserUser.Username, browserUser.Password)).Status);
        var cookies = string.Join("; ", browser.Cookies.Select(kv => $"{kv.Key}={kv.Value}"));
        var ofSession = await TicketAsync(r =>
        {
            r.Headers.Add("Cookie", cookies);
            r.Headers.Add("X-CSRFToken", browser.Cookies["csrftoken"]);
        });
        Assert.Equal(200, (await browser.LogoutAsync()).Status);
        Assert.Equal((401, Refused), await StatusAndDetailAsync(ofSession));

        var revoking = await _server.RegisterAsync("ws");
        var token = (await client.PostJsonAsync("/api-token-auth/", new { username = revoking.Username, password = revoking.Password })).Str("token")!;
        var ofToken = await TicketAsync(r => r.Headers.Authorization = new AuthenticationHeaderValue("Token", token));
        var ofBearer = await TicketAsync(r => r.Headers.Authorization = revoking.Bearer);
        Assert.True((await client.PostJsonAsync("/api/token/revoke-all/", null, revoking.Bearer)).Status is 200 or 204 or 205);
        Assert.Equal((401, Refused), await StatusAndDetailAsync(ofToken));
        Assert.Equal((401, Refused), await StatusAndDetailAsync(ofBearer));
    }

    private async Task<(int, string?)> StatusAndDetailAsync(string ticket)
    {
        var answer = await UseAsync(ticket);
        return (answer.Status, answer.Str("detail"));
    }

    [Fact]
    public async Task A_ticket_is_no_credential_on_other_endpoints_and_is_not_spent_there()
    {
        var user = await _server.RegisterAsync("ws");
        var ticket = await TicketAsync(r => r.Headers.Authorization = user.Bearer);
        var elsewhere = await UseAsync(ticket, path: "/api/profile/");
        Assert.Equal((401, NotProvided), (elsewhere.Status, elsewhere.Str("detail")));
        var notAllowingTokens = await UseAsync(ticket, path: TicketsTestEndpoints.QueryToken);
        Assert.Equal(401, notAllowingTokens.Status);
        Assert.Equal(200, (await UseAsync(ticket)).Status);
    }

    [Fact]
    public async Task A_scoped_api_key_gets_no_ticket()
    {
        var user = await _server.RegisterAsync("ws");
        await _server.AdministerAsync(a => a.SetRolesAsync(user.Username, staff: true));
        using var client = _server.CreateClient();
        var scoped = await client.PostJsonAsync("/api/api-key/", new { scopes = new[] { "revocations:read" } }, user.Bearer);
        Assert.Equal(201, scoped.Status);
        var refused = await AskAsync(r => r.Headers.Add("X-API-Key", scoped.Str("api_key")));
        Assert.Equal((403, "You do not have permission to perform this action."), (refused.Status, refused.Str("detail")));
    }

    [Fact]
    public async Task An_access_token_in_the_query_is_read_only_where_the_endpoint_allows_it()
    {
        var user = await _server.RegisterAsync("ws");
        using var client = _server.CreateClient();
        var allowed = await client.GetJsonAsync($"{TicketsTestEndpoints.QueryToken}?access_token={user.Access}");
        Assert.Equal(200, allowed.Status);
        Assert.Equal((user.Username, "jwt"), (allowed.Str("user"), allowed.Str("scheme")));
        Assert.DoesNotContain(user.Access, allowed.Str("query")); // what the app sees of the URL holds no token

        var bad = await client.GetJsonAsync($"{TicketsTestEndpoints.QueryToken}?access_token=not-a-token");
        Assert.Equal((401, "token_not_valid"), (bad.Status, bad.Str("code")));

        foreach (var path in new[] { "/api/profile/", TicketsTestEndpoints.RealTime })
        {
            var ignored = await client.GetJsonAsync($"{path}?access_token={user.Access}");
            Assert.Equal((401, NotProvided), (ignored.Status, ignored.Str("detail")));
        }
    }
}
