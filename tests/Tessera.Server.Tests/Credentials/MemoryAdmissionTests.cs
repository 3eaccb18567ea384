using System.Collections.Concurrent;
using System.Data.Common;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Core.Credentials;
using Tessera.Core.OpaqueTokens;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Credentials;

/// <summary>
/// Sessions, DRF tokens and API keys admitted from memory once seen (the database reads are
/// counted in HotPathTests): every way of ending one is still honoured on the very next request,
/// here and on another instance of the deployment, and memory never outlives the row's own expiry.
/// </summary>
public sealed class MemoryAdmissionTests : IAsyncLifetime
{
    private readonly ShiftedTimeProvider _clock = new();
    private readonly TesseraServer _server = new();

    public Task InitializeAsync()
    {
        _server.ConfigureServices = services => services.AddSingleton<TimeProvider>(_clock);
        return _server.InitializeAsync();
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    /// <summary>One of each kind, each used once, so memory remembers it.</summary>
    private async Task<Credentials> RememberedAsync(RegisteredUser user, int? keyDays = null)
    {
        var browser = new Browser(_server);
        await browser.GetCsrfAsync();
        Assert.Equal(200, (await browser.LoginAsync(user.Username, user.Password)).Status);
        using var client = _server.CreateClient();
        var token = (await client.PostJsonAsync("/api-token-auth/", new { username = user.Username, password = user.Password })).Str("token")!;
        var created = await client.PostJsonAsync("/api/api-key/", keyDays is { } d ? new { name = "ci", expires_in_days = d } : new { name = "ci" }, user.Bearer);
        Assert.Equal(201, created.Status);
        var credentials = new Credentials(_server, browser, token, created.Str("api_key")!, created.Str("prefix")!);
        Assert.Equal(new[] { 200, 200, 200 }, await credentials.StatusesAsync());
        return credentials;
    }

    [Fact]
    public async Task Session_logout_token_delete_and_key_revoke_are_each_refused_on_the_next_request()
    {
        var user = await _server.RegisterAsync();
        var c = await RememberedAsync(user);
        var stolenCookie = c.Browser.Cookies["sessionid"];

        Assert.Equal(200, (await c.Browser.PostAsync("/session/logout/", null, c.Browser.Cookies["csrftoken"])).Status);
        using var client = _server.CreateClient();
        var thief = await client.SendJsonAsync(HttpMethod.Get, "/api/hello/", configure: r => r.Headers.Add("Cookie", $"sessionid={stolenCookie}"));
        Assert.Equal(401, thief.Status); // no session: no credentials at all, as DRF answers a stale cookie
        Assert.Equal("Authentication credentials were not provided.", thief.Str("detail"));

        Assert.Equal(204, (await client.SendJsonAsync(HttpMethod.Delete, $"/api/tokens/{c.Token[..8]}/", auth: user.Bearer)).Status);
        var token = await client.GetJsonAsync("/api/hello/", new AuthenticationHeaderValue("Token", c.Token));
        Assert.Equal(401, token.Status);
        Assert.Equal("Invalid token.", token.Str("detail"));

        Assert.Equal(204, (await client.SendJsonAsync(HttpMethod.Delete, $"/api/api-key/{c.KeyPrefix}/", auth: user.Bearer)).Status);
        var key = await c.WithKeyAsync("/api/hello/");
        Assert.Equal(401, key.Status);
        Assert.Equal("Invalid API key", key.Str("detail"));
    }

    /// <summary>Memory answers as the database would: the change deleted the session and the token.</summary>
    private static async Task AssertSessionAndTokenGoneKeyKeptAsync(Credentials c)
    {
        using var client = c.Server.CreateClient();
        var session = await client.SendJsonAsync(HttpMethod.Get, "/api/hello/", configure: r => r.Headers.Add("Cookie", $"sessionid={c.Browser.Cookies["sessionid"]}"));
        Assert.Equal((401, "Authentication credentials were not provided."), (session.Status, session.Str("detail")));
        var token = await client.GetJsonAsync("/api/hello/", new AuthenticationHeaderValue("Token", c.Token));
        Assert.Equal((401, "Invalid token."), (token.Status, token.Str("detail")));
        Assert.Equal(200, (await c.WithKeyAsync("/api/hello/")).Status);
    }

    [Fact]
    public async Task Password_change_ends_the_remembered_session_and_token_and_keeps_the_key()
    {
        var user = await _server.RegisterAsync();
        var c = await RememberedAsync(user);
        using var client = _server.CreateClient();

        var change = await client.PostJsonAsync("/api/password/change/", new { old_password = user.Password, new_password = "An0ther-" + user.Password }, user.Bearer);

        Assert.Equal(200, change.Status);
        await AssertSessionAndTokenGoneKeyKeptAsync(c);
    }

    [Fact]
    public async Task Revoke_all_ends_the_remembered_session_and_token_and_keeps_the_key()
    {
        var user = await _server.RegisterAsync();
        var c = await RememberedAsync(user);
        using var client = _server.CreateClient();

        Assert.Equal(204, (await client.PostJsonAsync("/api/token/revoke-all/", null, user.Bearer)).Status);

        await AssertSessionAndTokenGoneKeyKeptAsync(c);
    }

    [Fact]
    public async Task Deactivation_ends_all_three_on_the_next_request()
    {
        var user = await _server.RegisterAsync();
        var c = await RememberedAsync(user);

        await _server.AdministerAsync(a => a.SetActiveAsync(user.Username, false));

        Assert.DoesNotContain(200, await c.StatusesAsync());
    }

    [Fact]
    public async Task Reactivation_revives_none_of_the_three_here_or_on_an_instance_that_remembers_them()
    {
        // Deactivation ends every login for good: an API key carries no epoch, so it is deleted and
        // its login revoked with the deactivation, or a reactivation would let it in again.
        var user = await _server.RegisterAsync();
        var c = await RememberedAsync(user);
        await using var other = _server.AnotherInstance();
        await other.InitializeAsync();
        var onOther = new Credentials(other, c.Browser, c.Token, c.Key, c.KeyPrefix);
        Assert.Equal(new[] { 200, 200, 200 }, await onOther.StatusesAsync());

        await _server.AdministerAsync(a => a.SetActiveAsync(user.Username, false));
        await _server.AdministerAsync(a => a.SetActiveAsync(user.Username, true));

        Assert.Equal(new[] { 401, 401, 401 }, await c.StatusesAsync());
        Assert.Equal("Invalid API key", (await c.WithKeyAsync("/api/hello/")).Str("detail"));
        // The other instance hears of it through the database feed (polled every 500 ms by default).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        int[] statuses;
        while ((statuses = await onOther.StatusesAsync()) is not [401, 401, 401] && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.Equal(new[] { 401, 401, 401 }, statuses);
        using var client = _server.CreateClient();
        var fresh = await client.PostJsonAsync("/api/token/", new { username = user.Username, password = user.Password });
        Assert.Equal(200, fresh.Status); // new logins work
    }

    [Fact]
    public async Task A_remembered_key_is_refused_once_its_own_expiry_passes()
    {
        var user = await _server.RegisterAsync();
        var c = await RememberedAsync(user, keyDays: 1);

        _clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1));

        Assert.Equal(401, (await c.WithKeyAsync("/api/hello/")).Status);
    }

    [Fact]
    public async Task A_deletion_on_one_instance_is_honoured_by_another_that_remembers_the_credential()
    {
        var user = await _server.RegisterAsync();
        var c = await RememberedAsync(user);
        await using var other = _server.AnotherInstance();
        await other.InitializeAsync();
        var onOther = new Credentials(other, c.Browser, c.Token, c.Key, c.KeyPrefix);
        Assert.Equal(new[] { 200, 200, 200 }, await onOther.StatusesAsync()); // remembered there too

        using var client = _server.CreateClient();
        Assert.Equal(204, (await client.SendJsonAsync(HttpMethod.Delete, $"/api/tokens/{c.Token[..8]}/", auth: user.Bearer)).Status);
        Assert.Equal(204, (await client.SendJsonAsync(HttpMethod.Delete, $"/api/api-key/{c.KeyPrefix}/", auth: user.Bearer)).Status);

        // The other instance hears of it through the database feed (polled every 500 ms by default).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        int[] statuses;
        do
        {
            await Task.Delay(50);
            statuses = await onOther.StatusesAsync();
        }
        while (statuses is not [_, 401, 401] && DateTime.UtcNow < deadline);
        Assert.Equal(new[] { 200, 401, 401 }, statuses);
    }

    [Fact]
    public async Task Credentials_minted_before_the_seal_existed_are_still_admitted()
    {
        var user = await _server.RegisterAsync();
        long userId;
        // A DRF token as the version before the seal minted it: 40 random hex, no seal.
        var legacy = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        await using (var db = _server.CreateDbContext())
        {
            userId = await db.AppUsers.Where(u => u.Username == user.Username).Select(u => u.Id).SingleAsync();
            var sealedAt = await db.CredentialSealKeys.Select(k => k.CreatedAt).SingleAsync();
            // As a database that had credentials when the seal came: its first start found them.
            await db.CredentialSealKeys.ExecuteUpdateAsync(s => s.SetProperty(k => k.NoneUnsealed, false));
            db.OpaqueTokens.Add(new OpaqueToken
            {
                KeyHash = OpaqueSecret.Hash(legacy),
                Prefix = legacy[..8],
                UserId = userId,
                CreatedAt = sealedAt - 60,
            });
            await db.SaveChangesAsync();
        }
        await using var restarted = _server.AnotherInstance();
        await restarted.InitializeAsync();
        using var client = restarted.CreateClient();

        Assert.Equal(200, (await client.GetJsonAsync("/api/hello/", new AuthenticationHeaderValue("Token", legacy))).Status);
        // And one that is not in the table, of the same shape, is not let in by the exception.
        var unknown = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        Assert.Equal(401, (await client.GetJsonAsync("/api/hello/", new AuthenticationHeaderValue("Token", unknown))).Status);
    }

    [Fact]
    public async Task Once_no_credential_predates_the_seal_a_start_reads_no_credential_table()
    {
        var user = await _server.RegisterAsync();
        await RememberedAsync(user); // a session, a DRF token and an API key, all sealed
        await using (var db = _server.CreateDbContext())
        {
            // A deployment that had one credential from before the seal (its first start found it), since
            // deleted. The key made a few seconds earlier: these were minted after it, not in its second.
            await db.CredentialSealKeys.ExecuteUpdateAsync(s => s
                .SetProperty(k => k.NoneUnsealed, false).SetProperty(k => k.CreatedAt, k => k.CreatedAt - 5));
        }

        var scanned = await CredentialTablesReadAtStartAsync();
        var again = await CredentialTablesReadAtStartAsync();

        Assert.Equal(["api_keys", "auth_tokens", "sessions"], scanned);
        Assert.Empty(again);
        await using (var db = _server.CreateDbContext())
            Assert.True(await db.CredentialSealKeys.Select(k => k.NoneUnsealed).SingleAsync());
    }

    /// <summary>Starts another instance and lists the credential tables its start read (no request is sent).</summary>
    private async Task<string[]> CredentialTablesReadAtStartAsync()
    {
        var commands = new CommandTexts();
        await using var instance = _server.AnotherInstance();
        instance.ConfigureServices = services => services.AddSingleton<IInterceptor>(commands);
        await instance.InitializeAsync();
        // FROM sessions (PostgreSQL) or FROM "sessions" (SQLite).
        return new[] { "api_keys", "auth_tokens", "sessions" }
            .Where(table => commands.Texts.Any(t => Regex.IsMatch(t, $"""\bFROM\s+"?{table}"?\s"""))).ToArray();
    }

    private sealed class CommandTexts : DbCommandInterceptor
    {
        public ConcurrentQueue<string> Texts { get; } = new();

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Texts.Enqueue(command.CommandText);
            return ValueTask.FromResult(result);
        }

        public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
        {
            Texts.Enqueue(command.CommandText);
            return result;
        }
    }

    [Fact]
    public async Task Minted_secrets_keep_the_wire_formats()
    {
        var user = await _server.RegisterAsync();
        var c = await RememberedAsync(user);

        Assert.Matches("^[a-z0-9]{32}$", c.Browser.Cookies["sessionid"]);
        Assert.Matches("^[0-9a-f]{40}$", c.Token);
        Assert.Matches("^tk_[a-z0-9]{8}_[A-Za-z0-9]{32}$", c.Key);
        // A one-character change breaks the seal: the server never looks it up, and refuses it.
        var tampered = c.Token[..^1] + (c.Token[^1] == '0' ? '1' : '0');
        using var client = _server.CreateClient();
        Assert.Equal(401, (await client.GetJsonAsync("/api/hello/", new AuthenticationHeaderValue("Token", tampered))).Status);
    }

    private sealed record Credentials(TesseraServer Server, Browser Browser, string Token, string Key, string KeyPrefix)
    {
        /// <summary>GET /api/hello/ with the session, the DRF token and the API key, in that order.</summary>
        public async Task<int[]> StatusesAsync()
        {
            using var client = Server.CreateClient();
            var session = await client.SendJsonAsync(HttpMethod.Get, "/api/hello/", configure: r => r.Headers.Add("Cookie", $"sessionid={Browser.Cookies.GetValueOrDefault("sessionid")}"));
            var token = await client.GetJsonAsync("/api/hello/", new AuthenticationHeaderValue("Token", Token));
            var key = await WithKeyAsync("/api/hello/");
            return [session.Status, token.Status, key.Status];
        }

        public async Task<ApiResponse> WithKeyAsync(string path)
        {
            using var client = Server.CreateClient();
            return await client.SendJsonAsync(HttpMethod.Get, path, configure: r => r.Headers.Add("X-API-Key", Key));
        }
    }
}
