using System.Data.Common;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Tessera.AspNetCore.Audit;
using Tessera.Core.Audit;
using Tessera.Core.Revocation;
using Tessera.Server.Tests.Infrastructure;
using static Tessera.Server.Tests.Endpoints.EndpointKit;

namespace Tessera.Server.Tests.Audit;

/// <summary>
/// The audit trail over HTTP: each action writes its OWASP-named event, with no secret anywhere in
/// the rows; a change that is rolled back leaves no event; staff read everyone's, a user their own;
/// events older than the retention are swept.
/// </summary>
public sealed class AuditTrailTests : IAsyncLifetime
{
    private readonly ShiftedTimeProvider _clock = new();
    private readonly FaultOnCommit _fault = new();
    private readonly TesseraServer _server = new()
    {
        Settings =
        {
            ["Tessera:Jwt:RefreshReuseGrace"] = "00:00:00",
            ["Tessera:LoginProtection:MaxFailuresPerUsername"] = "3",
        },
    };

    public Task InitializeAsync()
    {
        _server.ConfigureServices = services =>
        {
            services.AddSingleton<TimeProvider>(_clock);
            services.AddSingleton<IInterceptor>(_fault);
        };
        return _server.InitializeAsync();
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task Every_action_writes_its_event_and_no_row_holds_a_secret()
    {
        using var client = _server.CreateClient();
        var user = await _server.RegisterAsync("audit");
        var wrong = "Wrong-" + Guid.NewGuid().ToString("N");
        Assert.Equal(401, (await client.PostJsonAsync("/api/token/", new { username = user.Username, password = wrong })).Status);
        var obtained = await client.PostJsonAsync("/api/token/", new { username = user.Username, password = user.Password });
        Assert.Equal(200, obtained.Status);
        // A rotated refresh token presented again (grace 0): reuse.
        Assert.Equal(200, (await client.PostJsonAsync("/api/token/refresh/", new { refresh = obtained.Str("refresh") })).Status);
        Assert.Equal(401, (await client.PostJsonAsync("/api/token/refresh/", new { refresh = obtained.Str("refresh") })).Status);
        var newPassword = "N3w-" + Guid.NewGuid().ToString("N");
        var changed = await client.PostJsonAsync("/api/password/change/", new { old_password = user.Password, new_password = newPassword }, user.Bearer);
        Assert.Equal(200, changed.Status);
        var bearer = Bearer(changed.Str("access")!);
        var patch = await client.SendJsonAsync(HttpMethod.Patch, "/api/profile/", new { first_name = "Ada" }, bearer);
        Assert.Equal(200, patch.Status);
        Assert.Equal(200, (await client.PostJsonAsync("/api/token/blacklist/", new { refresh = changed.Str("refresh") })).Status);
        var again = await client.PostJsonAsync("/api/token/", new { username = user.Username, password = newPassword });
        Assert.Equal(200, again.Status);
        Assert.Equal(204, (await client.PostJsonAsync("/api/token/revoke-all/", null, Bearer(again.Str("access")!))).Status);
        // Credentials of the other kinds: a DRF token, an API key, a session.
        var drf = await client.PostJsonAsync("/api-token-auth/", new { username = user.Username, password = newPassword });
        Assert.Equal(200, drf.Status);
        var fresh = await client.PostJsonAsync("/api/token/", new { username = user.Username, password = newPassword });
        var apiKey = await client.PostJsonAsync("/api/api-key/", new { name = "ci" }, Bearer(fresh.Str("access")!));
        Assert.Equal(201, apiKey.Status);
        var browser = new Browser(_server);
        await browser.GetCsrfAsync();
        Assert.Equal(200, (await browser.LoginAsync(user.Username, newPassword)).Status);
        // Login protection refuses after 3 failures: a 429, an authn_login_lock.
        var statuses = new List<int>();
        for (var i = 0; i < 5; i++)
            statuses.Add((await client.PostJsonAsync("/api/token/", new { username = user.Username, password = wrong })).Status);
        Assert.Contains(429, statuses);
        await _server.AdministerAsync(a => a.SetActiveAsync(user.Username, false));

        var staff = await StaffAsync();
        var events = await AllAsync(client, $"/api/admin/audit/?user={user.Username}", staff);
        var names = events.Select(e => e.GetProperty("event").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?>
        {
            AuditEvents.UserCreated, AuditEvents.LoginFail, AuditEvents.LoginSuccess, AuditEvents.TokenReuse,
            AuditEvents.PasswordChange, AuditEvents.UserUpdated, AuditEvents.TokenRevoked, AuditEvents.LoginLock,
            AuditEvents.UserDeactivated, AuditEvents.TokenCreated, AuditEvents.SessionCreated,
        }, names);
        var key = events.Single(e => e.GetProperty("event").GetString() == AuditEvents.TokenCreated
            && e.GetProperty("details").GetProperty("kind").GetString() == "api_key");
        Assert.Equal(apiKey.Str("prefix"), key.GetProperty("details").GetProperty("prefix").GetString());
        var success = events.First(e => e.GetProperty("event").GetString() == AuditEvents.LoginSuccess);
        Assert.Equal("127.0.0.1", success.GetProperty("ip").GetString());
        var revokedAll = events.Single(e => e.GetProperty("event").GetString() == AuditEvents.TokenRevoked
            && e.GetProperty("details").GetProperty("reason").GetString() == LoginRevocationReasons.RevokeAll);
        Assert.Equal("jwt", revokedAll.GetProperty("scheme").GetString());
        Assert.False(string.IsNullOrEmpty(revokedAll.GetProperty("login_id").GetString()));
        // Newest first, by id.
        var ids = events.Select(e => e.GetProperty("id").GetInt64()).ToList();
        Assert.Equal(ids.OrderByDescending(i => i), ids);

        // Deleted: the trail outlives the user, and still names them.
        await _server.AdministerAsync(a => a.DeleteAsync(user.Username));
        var deleted = await AllAsync(client, $"/api/admin/audit/?user={user.Username}&event=user_deleted", staff);
        Assert.Single(deleted);

        // No secret in any row: passwords, tokens, their hashes' inputs.
        await using var db = _server.CreateDbContext();
        var rows = JsonSerializer.Serialize(await db.AuditEvents.AsNoTracking().ToListAsync());
        foreach (var secret in new[] { user.Password, wrong, newPassword, user.Access, user.Refresh, obtained.Str("refresh")!, obtained.Str("access")!,
                     changed.Str("access")!, changed.Str("refresh")!, drf.Str("token")!, apiKey.Str("api_key")!, browser.Cookies["sessionid"] })
            Assert.DoesNotContain(secret, rows);
    }

    [Fact]
    public async Task Staff_read_every_users_events_a_user_only_their_own()
    {
        using var client = _server.CreateClient();
        var alice = await _server.RegisterAsync("alice");
        var bob = await _server.RegisterAsync("bob");
        Assert.Equal(403, (await client.GetJsonAsync("/api/admin/audit/", alice.Bearer)).Status);
        Assert.Equal(401, (await client.GetJsonAsync("/api/account/activity/")).Status);

        var own = await AllAsync(client, "/api/account/activity/", alice.Bearer);
        Assert.NotEmpty(own);
        Assert.All(own, e => Assert.Equal(alice.Username, e.GetProperty("username").GetString()));
        Assert.DoesNotContain(own, e => e.GetProperty("username").GetString() == bob.Username);

        var staff = await StaffAsync();
        var bobId = UserId(bob.Access);
        var byId = await AllAsync(client, $"/api/admin/audit/?user={bobId}", staff);
        Assert.Contains(byId, e => e.GetProperty("event").GetString() == AuditEvents.UserCreated);
        Assert.All(byId, e => Assert.Equal(bobId, e.GetProperty("user_id").GetInt64()));

        Assert.Equal(404, (await client.GetJsonAsync("/api/admin/audit/?cursor=abc", staff)).Status);
        Assert.Equal(400, (await client.GetJsonAsync("/api/admin/audit/?since=yesterday", staff)).Status);
        var future = await client.GetJsonAsync("/api/admin/audit/?since=2999-01-01T00:00:00Z", staff);
        Assert.Equal(0, future.Json.GetProperty("results").GetArrayLength());
    }

    [Fact]
    public async Task Pages_of_fifty_follow_the_cursor_without_gaps_or_repeats()
    {
        using var client = _server.CreateClient();
        var user = await _server.RegisterAsync("pages");
        for (var i = 0; i < 60; i++)
            Assert.Equal(200, (await client.SendJsonAsync(HttpMethod.Patch, "/api/profile/", new { first_name = "n" + i }, user.Bearer)).Status);
        var first = await client.GetJsonAsync("/api/account/activity/?event=user_updated", user.Bearer);
        Assert.Equal(50, first.Json.GetProperty("results").GetArrayLength());
        var all = await AllAsync(client, "/api/account/activity/?event=user_updated", user.Bearer);
        Assert.Equal(60, all.Count);
        Assert.Equal(60, all.Select(e => e.GetProperty("id").GetInt64()).Distinct().Count());
    }

    [Fact]
    public async Task A_change_rolled_back_leaves_no_event()
    {
        using var client = _server.CreateClient();
        var user = await _server.RegisterAsync("rollback");
        _fault.Armed = true;
        var failed = await client.PostJsonAsync("/api/token/revoke-all/", null, user.Bearer);
        _fault.Armed = false;
        Assert.Equal(503, failed.Status);
        // The change did not happen (the login works) and neither did its event.
        Assert.Equal(200, (await client.GetJsonAsync("/api/hello/", user.Bearer)).Status);
        var events = await AllAsync(client, "/api/account/activity/", user.Bearer);
        Assert.DoesNotContain(events, e => e.GetProperty("event").GetString() == AuditEvents.TokenRevoked);
        Assert.Contains(events, e => e.GetProperty("event").GetString() == AuditEvents.UserCreated);
    }

    [Fact]
    public async Task Events_older_than_the_retention_are_swept()
    {
        var user = await _server.RegisterAsync("retention");
        await using (var scope = _server.Services.CreateAsyncScope())
        {
            var store = scope.ServiceProvider.GetRequiredService<IAuditStore>();
            Assert.Contains(scope.ServiceProvider.GetServices<IExpiringRecords>(), r => r is IAuditStore);
            _clock.Advance(TimeSpan.FromDays(91)); // the default retention is 90 days
            var removed = await store.RemoveExpiredAsync(_clock.GetUtcNow());
            Assert.True(removed >= 1);
        }
        using var client = _server.CreateClient();
        var staff = await StaffAsync();
        Assert.Empty(await AllAsync(client, $"/api/admin/audit/?user={user.Username}", staff));
    }

    private async Task<System.Net.Http.Headers.AuthenticationHeaderValue> StaffAsync()
    {
        var staff = await _server.RegisterAsync("staff");
        await _server.AdministerAsync(a => a.SetRolesAsync(staff.Username, staff: true));
        return staff.Bearer;
    }

    /// <summary>Every page, following next.</summary>
    internal static async Task<List<JsonElement>> AllAsync(HttpClient client, string path, System.Net.Http.Headers.AuthenticationHeaderValue auth)
    {
        var all = new List<JsonElement>();
        var next = path;
        for (var page = 0; page < 100 && next is not null; page++)
        {
            var r = await client.GetJsonAsync(next, auth);
            Assert.True(r.Status == 200, $"GET {next}: {r}");
            all.AddRange(r.Json.GetProperty("results").EnumerateArray());
            next = r.Json.GetProperty("next").ValueKind == JsonValueKind.Null ? null
                : path + (path.Contains('?') ? "&" : "?") + "cursor=" + r.Json.GetProperty("next").GetString();
        }
        return all;
    }

    /// <summary>
    /// While armed, fails the commit of a transaction that has moved a user's epoch (the change itself):
    /// an event written in a transaction of its own, before or after, would survive it; one in the
    /// change's transaction rolls back with it.
    /// </summary>
    internal sealed class FaultOnCommit : IDbCommandInterceptor, IDbTransactionInterceptor
    {
        public volatile bool Armed;
        private volatile bool _changed;

        public ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            if (Armed && command.CommandText.Contains("UPDATE ", StringComparison.Ordinal)
                && command.CommandText.Contains("revocation_epoch", StringComparison.Ordinal))
                _changed = true;
            return ValueTask.FromResult(result);
        }

        public ValueTask<InterceptionResult> TransactionCommittingAsync(DbTransaction transaction, TransactionEventData eventData,
            InterceptionResult result, CancellationToken cancellationToken = default)
        {
            if (Armed && _changed)
            {
                _changed = false;
                throw new Microsoft.Data.Sqlite.SqliteException("injected fault: disk I/O error", 10);
            }
            return ValueTask.FromResult(result);
        }
    }
}
