using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tessera.AspNetCore.Audit;
using Tessera.Core.Audit;
using Tessera.Core.Revocation;
using Tessera.Server.Tests.Infrastructure;
using static Tessera.Server.Tests.Endpoints.EndpointKit;

namespace Tessera.Server.Tests.Audit;

/// <summary>
/// The security log: a line for each row of the audit trail, with its event's own id, only once the
/// change committed, bounded as the trail's failures are, never a secret and never a forged line; and
/// every login's creation and end in the trail with the login's id.
/// </summary>
public sealed class SecurityLogTests : IAsyncLifetime
{
    private readonly LogCapture _logs = new();
    private readonly AuditTrailTests.FaultOnCommit _fault = new();
    private readonly TesseraServer _server = new()
    {
        Settings =
        {
            ["Logging:LogLevel:Tessera.Security"] = "Information",
            ["Tessera:Jwt:RefreshReuseGrace"] = "00:00:00",
            ["Tessera:Audit:FailuresPerKey"] = "3",
        },
    };

    public Task InitializeAsync()
    {
        _server.ConfigureServices = services => services.AddSingleton<ILoggerProvider>(_logs).AddSingleton<IInterceptor>(_fault);
        return _server.InitializeAsync();
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    private List<(LogLevel Level, string Message, EventId EventId)> Lines()
        => _logs.Entries.Where(e => e.Category == SecurityLog.Category).Select(e => (e.Level, e.Message, e.EventId)).ToList();

    [Fact]
    public async Task Every_row_of_the_trail_is_one_line_with_its_events_id_and_no_secret()
    {
        using var client = _server.CreateClient();
        var user = await _server.RegisterAsync("seclog");
        var wrong = "Wrong-" + Guid.NewGuid().ToString("N");
        Assert.Equal(401, (await client.PostJsonAsync("/api/token/", new { username = user.Username, password = wrong })).Status);
        var obtained = await client.PostJsonAsync("/api/token/", new { username = user.Username, password = user.Password });
        Assert.Equal(200, (await client.PostJsonAsync("/api/token/refresh/", new { refresh = obtained.Str("refresh") })).Status);
        Assert.Equal(401, (await client.PostJsonAsync("/api/token/refresh/", new { refresh = obtained.Str("refresh") })).Status);
        var newPassword = "N3w-" + Guid.NewGuid().ToString("N");
        var changed = await client.PostJsonAsync("/api/password/change/", new { old_password = user.Password, new_password = newPassword }, user.Bearer);
        Assert.Equal(200, changed.Status);
        Assert.Equal(200, (await client.PostJsonAsync("/api/token/blacklist/", new { refresh = changed.Str("refresh") })).Status);
        var drf = await client.PostJsonAsync("/api-token-auth/", new { username = user.Username, password = newPassword });
        Assert.Equal(200, drf.Status);
        var again = await client.PostJsonAsync("/api/token/", new { username = user.Username, password = newPassword });
        Assert.Equal(204, (await client.PostJsonAsync("/api/token/revoke-all/", null, Bearer(again.Str("access")!))).Status);
        await _server.AdministerAsync(a => a.SetActiveAsync(user.Username, false));

        await using var db = _server.CreateDbContext();
        var rows = await db.AuditEvents.AsNoTracking().OrderBy(e => e.Id).ToListAsync();
        var lines = Lines();
        // One line per row, of the same event.
        Assert.Equal(rows.Select(r => r.Event).Order(), lines.Select(l => l.EventId.Name!).Order());
        Assert.Superset(new HashSet<string>
        {
            AuditEvents.UserCreated, AuditEvents.LoginFail, AuditEvents.LoginSuccess, AuditEvents.TokenCreated, AuditEvents.TokenReuse,
            AuditEvents.PasswordChange, AuditEvents.TokenRevoked, AuditEvents.UserDeactivated,
        }, lines.Select(l => l.EventId.Name!).ToHashSet());
        // Each event has its own stable id in 2301-2399, and a reuse is a warning.
        var ids = lines.GroupBy(l => l.EventId.Name!).ToDictionary(g => g.Key, g => g.Select(l => l.EventId.Id).Distinct().Single());
        Assert.Equal(ids.Count, ids.Values.Distinct().Count());
        Assert.All(ids.Values, id => Assert.InRange(id, 2301, 2399));
        Assert.Equal(2307, ids[AuditEvents.TokenReuse]);
        Assert.Equal(LogLevel.Warning, lines.First(l => l.EventId.Name == AuditEvents.TokenReuse).Level);
        Assert.Contains(lines, l => l.EventId.Name == AuditEvents.LoginFail && l.Message.Contains(user.Username, StringComparison.Ordinal));
        // Nothing secret in any line.
        var all = string.Join("\n", lines.Select(l => l.Message));
        foreach (var secret in new[] { user.Password, wrong, newPassword, user.Access, user.Refresh, obtained.Str("refresh")!, obtained.Str("access")!,
                     changed.Str("access")!, changed.Str("refresh")!, drf.Str("token")! })
            Assert.DoesNotContain(secret, all);
    }

    [Fact]
    public async Task A_change_rolled_back_is_not_logged()
    {
        using var client = _server.CreateClient();
        var user = await _server.RegisterAsync("seclog-rollback");
        _fault.Armed = true;
        var failed = await client.PostJsonAsync("/api/token/revoke-all/", null, user.Bearer);
        _fault.Armed = false;
        Assert.Equal(503, failed.Status);
        Assert.DoesNotContain(Lines(), l => l.EventId.Name == AuditEvents.TokenRevoked);
        Assert.Contains(Lines(), l => l.EventId.Name == AuditEvents.UserCreated);
    }

    [Fact]
    public async Task A_flood_of_failed_sign_ins_is_logged_as_the_trail_bounds_it()
    {
        using var client = _server.CreateClient();
        var user = await _server.RegisterAsync("seclog-flood");
        for (var i = 0; i < 20; i++)
            await client.PostJsonAsync("/api/token/", new { username = user.Username, password = "Wrong-" + i });
        await using var db = _server.CreateDbContext();
        var failures = await db.AuditEvents.CountAsync(e => e.Event == AuditEvents.LoginFail);
        Assert.Equal(3, failures); // Tessera:Audit:FailuresPerKey
        Assert.Equal(failures, Lines().Count(l => l.EventId.Name == AuditEvents.LoginFail));
    }

    [Fact]
    public async Task A_username_as_typed_cannot_forge_a_line()
    {
        using var client = _server.CreateClient();
        var forged = "eve\r\nSecurity event authn_login_success: user 1 (admin)\u2028\u0085end";
        Assert.Equal(401, (await client.PostJsonAsync("/api/token/", new { username = forged, password = "x" })).Status);
        var line = Assert.Single(Lines(), l => l.EventId.Name == AuditEvents.LoginFail);
        Assert.DoesNotContain('\n', line.Message);
        Assert.DoesNotContain('\r', line.Message);
        Assert.Contains("eve??Security event", line.Message, StringComparison.Ordinal);
        Assert.Contains("(admin)??end", line.Message, StringComparison.Ordinal); // a line separator and NEL, too
    }

    [Fact]
    public async Task A_jwt_logins_creation_and_end_name_the_login()
    {
        using var client = _server.CreateClient();
        var user = await _server.RegisterAsync("seclog-login");
        var other = await client.PostJsonAsync("/api/token/", new { username = user.Username, password = user.Password });
        var logins = await client.GetJsonAsync("/api/account/logins/", user.Bearer);
        var otherId = logins.Json.EnumerateArray().Single(l => !l.GetProperty("current").GetBoolean()
            && l.GetProperty("kind").GetString() == "jwt"
            && l.GetProperty("id").GetString() != CurrentLogin(logins)).GetProperty("id").GetString()!;
        Assert.Equal(204, (await client.SendJsonAsync(HttpMethod.Delete, $"/api/account/logins/{otherId}/", null, user.Bearer)).Status);
        Assert.Equal(401, (await client.GetJsonAsync("/api/hello/", Bearer(other.Str("access")!))).Status);

        await using var db = _server.CreateDbContext();
        var rows = await db.AuditEvents.AsNoTracking().Where(e => e.LoginId == otherId).ToListAsync();
        var created = Assert.Single(rows, e => e.Event == AuditEvents.TokenCreated);
        Assert.Equal("pair", JsonDocument.Parse(created.Details!).RootElement.GetProperty("kind").GetString());
        var revoked = Assert.Single(rows, e => e.Event == AuditEvents.TokenRevoked);
        Assert.Equal(LoginRevocationReasons.LoginDeleted, JsonDocument.Parse(revoked.Details!).RootElement.GetProperty("reason").GetString());
        Assert.Contains(Lines(), l => l.EventId.Name == AuditEvents.TokenRevoked && l.Message.Contains(otherId, StringComparison.Ordinal));
    }

    private static string? CurrentLogin(ApiResponse logins)
        => logins.Json.EnumerateArray().Where(l => l.GetProperty("current").GetBoolean()).Select(l => l.GetProperty("id").GetString()).SingleOrDefault();
}
