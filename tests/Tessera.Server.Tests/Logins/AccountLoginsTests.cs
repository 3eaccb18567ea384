using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Tessera.AspNetCore.Logins;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Logins;

/// <summary>
/// GET/DELETE /api/account/logins/ and POST /api/account/logins/revoke-others/: every kind of login
/// listed, with where it came from and the one the request came with; ending one refuses its
/// credentials on the next request, on every instance; "last used" follows requests by batches.
/// </summary>
public sealed class AccountLoginsTests : IAsyncLifetime
{
    private readonly ShiftedTimeProvider _clock = new();
    private readonly TesseraServer _server = new();

    public Task InitializeAsync()
    {
        _server.ConfigureServices = services => services.AddSingleton<TimeProvider>(_clock);
        return _server.InitializeAsync();
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    /// <summary>A JWT login (registration), a session, a DRF token and an API key of one user.</summary>
    private async Task<Logins> FourKindsAsync(RegisteredUser user)
    {
        var browser = new Browser(_server);
        await browser.GetCsrfAsync();
        Assert.Equal(200, (await browser.LoginAsync(user.Username, user.Password)).Status);
        using var client = _server.CreateClient();
        var token = await client.SendJsonAsync(HttpMethod.Post, "/api-token-auth/", new { username = user.Username, password = user.Password },
            configure: r => r.Headers.UserAgent.ParseAdd("drf-client/1.0"));
        Assert.Equal(200, token.Status);
        var key = await client.PostJsonAsync("/api/api-key/", new { name = "ci" }, user.Bearer);
        Assert.Equal(201, key.Status);
        return new Logins(browser, new AuthenticationHeaderValue("Token", token.Str("token")), key.Str("api_key")!);
    }

    private sealed record Logins(Browser Browser, AuthenticationHeaderValue Token, string Key);

    private static async Task<JsonElement[]> ListAsync(HttpClient client, AuthenticationHeaderValue auth)
    {
        var list = await client.GetJsonAsync("/api/account/logins/", auth);
        Assert.Equal(200, list.Status);
        return [.. list.Json.EnumerateArray()];
    }

    private static string Current(JsonElement[] logins) => Assert.Single(logins, l => l.GetProperty("current").GetBoolean()).GetProperty("kind").GetString()!;

    [Fact]
    public async Task Every_kind_is_listed_once_with_its_origin_and_the_requests_own_as_current()
    {
        var user = await _server.RegisterAsync();
        var c = await FourKindsAsync(user);
        using var client = _server.CreateClient();

        var asJwt = await ListAsync(client, user.Bearer);
        Assert.Equal(["api_key", "jwt", "session", "token"], asJwt.Select(l => l.GetProperty("kind").GetString()).Order());
        Assert.Equal("jwt", Current(asJwt));
        Assert.All(asJwt, l =>
        {
            Assert.Equal(LoginIdLength, l.GetProperty("id").GetString()!.Length);
            Assert.Equal("127.0.0.1", l.GetProperty("ip").GetString());
            Assert.True(DateTime.TryParse(l.GetProperty("created").GetString(), out _));
        });
        Assert.Equal("drf-client/1.0", asJwt.Single(l => l.GetProperty("kind").GetString() == "token").GetProperty("user_agent").GetString());

        var asSession = await c.Browser.GetAsync("/api/account/logins/");
        Assert.Equal("session", Current([.. asSession.Json.EnumerateArray()]));
        Assert.Equal("token", Current(await ListAsync(client, c.Token)));
        var asKey = await client.SendJsonAsync(HttpMethod.Get, "/api/account/logins/", configure: r => r.Headers.Add("X-API-Key", c.Key));
        Assert.Equal("api_key", Current([.. asKey.Json.EnumerateArray()]));

        // Someone else's list is their own.
        var other = await _server.RegisterAsync();
        Assert.Equal("jwt", Assert.Single(await ListAsync(client, other.Bearer)).GetProperty("kind").GetString());
    }

    private const int LoginIdLength = 28;

    [Fact]
    public async Task Deleting_a_jwt_login_refuses_its_tokens_at_once_here_and_on_another_instance()
    {
        var user = await _server.RegisterAsync();
        using var client = _server.CreateClient();
        var second = await client.PostJsonAsync("/api/token/", new { username = user.Username, password = user.Password });
        var secondAccess = new AuthenticationHeaderValue("Bearer", second.Str("access"));
        await using var other = _server.AnotherInstance();
        await other.InitializeAsync();
        using var otherClient = other.CreateClient();
        Assert.Equal(200, (await otherClient.GetJsonAsync("/api/hello/", secondAccess)).Status);

        var id = Assert.Single(await ListAsync(client, user.Bearer), l => !l.GetProperty("current").GetBoolean()).GetProperty("id").GetString();
        Assert.Equal(204, (await client.SendJsonAsync(HttpMethod.Delete, $"/api/account/logins/{id}/", auth: user.Bearer)).Status);

        Assert.Equal(401, (await client.GetJsonAsync("/api/hello/", secondAccess)).Status);
        var refresh = await client.PostJsonAsync("/api/token/refresh/", new { refresh = second.Str("refresh") });
        Assert.Equal((401, "token_not_valid"), (refresh.Status, refresh.Str("code")));
        // The other instance hears of it through the shared bus or the database feed (polled every 500 ms).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        int status;
        while ((status = (await otherClient.GetJsonAsync("/api/hello/", secondAccess)).Status) != 401 && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.Equal(401, status);

        Assert.Equal(200, (await client.GetJsonAsync("/api/hello/", user.Bearer)).Status);
        Assert.Equal("jwt", Current(await ListAsync(client, user.Bearer)));
        Assert.Single(await ListAsync(client, user.Bearer));
        // Gone: a second delete finds nothing.
        Assert.Equal(404, (await client.SendJsonAsync(HttpMethod.Delete, $"/api/account/logins/{id}/", auth: user.Bearer)).Status);
    }

    [Fact]
    public async Task Deleting_a_session_token_or_key_login_refuses_that_credential()
    {
        var user = await _server.RegisterAsync();
        var c = await FourKindsAsync(user);
        using var client = _server.CreateClient();
        var logins = await ListAsync(client, user.Bearer);
        foreach (var kind in new[] { "session", "token", "api_key" })
        {
            var id = logins.Single(l => l.GetProperty("kind").GetString() == kind).GetProperty("id").GetString();
            Assert.Equal(204, (await client.SendJsonAsync(HttpMethod.Delete, $"/api/account/logins/{id}/", auth: user.Bearer)).Status);
        }

        Assert.Equal(401, (await c.Browser.GetAsync("/api/hello/")).Status);
        Assert.Equal(401, (await client.GetJsonAsync("/api/hello/", c.Token)).Status);
        Assert.Equal(401, (await client.SendJsonAsync(HttpMethod.Get, "/api/hello/", configure: r => r.Headers.Add("X-API-Key", c.Key))).Status);
        Assert.Equal("jwt", Assert.Single(await ListAsync(client, user.Bearer)).GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Another_users_login_and_ids_that_are_none_answer_404_and_end_nothing()
    {
        var victim = await _server.RegisterAsync();
        var attacker = await _server.RegisterAsync();
        using var client = _server.CreateClient();
        var victimsId = Assert.Single(await ListAsync(client, victim.Bearer)).GetProperty("id").GetString();

        foreach (var id in new[] { victimsId, "0000000000000000000000000000", "not-a-login", victimsId!.ToUpperInvariant() })
        {
            var answer = await client.SendJsonAsync(HttpMethod.Delete, $"/api/account/logins/{id}/", auth: attacker.Bearer);
            Assert.Equal(404, answer.Status);
        }
        Assert.Equal(200, (await client.GetJsonAsync("/api/hello/", victim.Bearer)).Status);
        Assert.Equal(401, (await client.SendJsonAsync(HttpMethod.Delete, $"/api/account/logins/{victimsId}/")).Status);
    }

    [Fact]
    public async Task Revoke_others_ends_every_login_but_the_current_one()
    {
        var user = await _server.RegisterAsync();
        var c = await FourKindsAsync(user);
        using var client = _server.CreateClient();
        var second = await client.PostJsonAsync("/api/token/", new { username = user.Username, password = user.Password });

        Assert.Equal(204, (await client.PostJsonAsync("/api/account/logins/revoke-others/", null, c.Token)).Status);

        Assert.Equal(200, (await client.GetJsonAsync("/api/hello/", c.Token)).Status);
        Assert.Equal(401, (await client.GetJsonAsync("/api/hello/", user.Bearer)).Status);
        Assert.Equal(401, (await client.GetJsonAsync("/api/hello/", new AuthenticationHeaderValue("Bearer", second.Str("access")))).Status);
        Assert.Equal(401, (await c.Browser.GetAsync("/api/hello/")).Status);
        Assert.Equal(401, (await client.SendJsonAsync(HttpMethod.Get, "/api/hello/", configure: r => r.Headers.Add("X-API-Key", c.Key))).Status);
        Assert.Equal("token", Assert.Single(await ListAsync(client, c.Token)).GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Last_used_is_the_minute_of_the_last_request_once_a_batch_is_written()
    {
        var user = await _server.RegisterAsync();
        var flusher = _server.Services.GetRequiredService<LoginActivityFlusher>();
        using var client = _server.CreateClient();
        Assert.Equal(200, (await client.GetJsonAsync("/api/hello/", user.Bearer)).Status);
        var first = Minute(_clock.GetUtcNow());
        await flusher.FlushAsync();
        Assert.Equal(first, await LastUsedAsync(client, user));

        _clock.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal(200, (await client.GetJsonAsync("/api/hello/", user.Bearer)).Status);
        // Noted in memory only: nothing is written until the batch.
        Assert.Equal(first, await LastUsedAsync(client, user));
        await flusher.FlushAsync();
        Assert.Equal(Minute(_clock.GetUtcNow()), await LastUsedAsync(client, user));
    }

    [Fact]
    public async Task A_jwt_login_kept_alive_by_rotation_stays_listed_past_its_first_refresh_tokens_end()
    {
        var user = await _server.RegisterAsync();
        using var client = _server.CreateClient();
        var refresh = user.Refresh;
        string? access = null;
        // Refreshed every 6 days: 12 days on, past the first refresh token's 7, the login is alive.
        for (var i = 0; i < 2; i++)
        {
            _clock.Advance(TimeSpan.FromDays(6));
            var rotated = await client.PostJsonAsync("/api/token/refresh/", new { refresh });
            Assert.Equal(200, rotated.Status);
            (refresh, access) = (rotated.Str("refresh")!, rotated.Str("access"));
        }
        var login = Assert.Single(await ListAsync(client, new AuthenticationHeaderValue("Bearer", access)));
        Assert.True(login.GetProperty("current").GetBoolean());
    }

    private static DateTime? Minute(DateTimeOffset at) => new DateTime(at.Year, at.Month, at.Day, at.Hour, at.Minute, 0, DateTimeKind.Utc);

    private static async Task<DateTime?> LastUsedAsync(HttpClient client, RegisteredUser user)
        => Assert.Single(await ListAsync(client, user.Bearer)).GetProperty("last_used").GetString() is { } text
            ? DateTime.Parse(text, null, System.Globalization.DateTimeStyles.AdjustToUniversal)
            : null;
}
