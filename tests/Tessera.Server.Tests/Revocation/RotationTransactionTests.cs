using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Core.Revocation;
using Tessera.Server.Tests.Infrastructure;
using static Tessera.Server.Tests.Endpoints.EndpointKit;

namespace Tessera.Server.Tests.Revocation;

/// <summary>
/// One revocation model: the blacklist row and the login it revokes are one transaction (a fault in
/// the second write leaves neither), the reuse grace told apart from theft on a clock the test
/// moves, and memory swept on its own schedule with the database sweeper off.
/// </summary>
[Trait("Storage", "Sqlite")] // its own SQLite deployment: run once, in the SQLite pass
public sealed class RotationTransactionTests : IAsyncLifetime
{
    private readonly ShiftedTimeProvider _clock = new();
    private readonly FaultOnLoginRevocation _fault = new();
    private readonly TesseraServer _server = new()
    {
        Settings =
        {
            ["Tessera:Sweeper:Interval"] = "00:00:00",
            ["Tessera:Revocation:MemorySweepInterval"] = "00:00:01",
            // Revocations last as long as the longest token: 15 minutes here, so an hour later they are
            // expired without the clock jumping past the feed's full-reload threshold (12 h).
            ["Tessera:Jwt:RefreshTokenLifetime"] = "00:10:00",
            ["Tessera:Jwt:SlidingTokenRefreshLifetime"] = "00:10:00",
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
    public async Task Logout_whose_login_revocation_fails_writes_nothing_and_can_be_retried()
    {
        var user = await _server.RegisterAsync();
        using var client = _server.CreateClient();

        _fault.Armed = true;
        var failed = await client.PostJsonAsync("/api/token/blacklist/", new { refresh = user.Refresh });
        _fault.Armed = false;

        Assert.Equal(503, failed.Status);
        Assert.Equal("application/json", failed.ContentType);
        Assert.NotNull(failed.Headers.RetryAfter);
        // Neither write happened: the token is not blacklisted, so the logout can be done again,
        // and then it revokes the login's access token as well.
        Assert.Equal(200, (await client.GetJsonAsync("/api/hello/", user.Bearer)).Status);
        Assert.Equal(200, (await client.PostJsonAsync("/api/token/blacklist/", new { refresh = user.Refresh })).Status);
        Assert.Equal(401, (await client.GetJsonAsync("/api/hello/", user.Bearer)).Status);
    }

    [Fact]
    public async Task Reuse_after_the_grace_revokes_the_login_and_a_fault_in_that_revocation_leaves_it_to_the_next_replay()
    {
        var user = await _server.RegisterAsync();
        using var client = _server.CreateClient();
        var rotated = await client.PostJsonAsync("/api/token/refresh/", new { refresh = user.Refresh });
        Assert.Equal(200, rotated.Status);
        _clock.Advance(TimeSpan.FromSeconds(11)); // past the default grace of 10 s

        _fault.Armed = true;
        var failed = await client.PostJsonAsync("/api/token/refresh/", new { refresh = user.Refresh });
        _fault.Armed = false;
        Assert.Equal(503, failed.Status);
        Assert.Equal(200, (await client.GetJsonAsync("/api/hello/", Bearer(rotated.Str("access")!))).Status);

        var replay = await client.PostJsonAsync("/api/token/refresh/", new { refresh = user.Refresh });
        Assert.Equal(401, replay.Status);
        Assert.Equal("Token is blacklisted", replay.Str("detail"));
        Assert.Equal(401, (await client.GetJsonAsync("/api/hello/", Bearer(rotated.Str("access")!))).Status);
        Assert.Equal(401, (await client.PostJsonAsync("/api/token/refresh/", new { refresh = rotated.Str("refresh") })).Status);
    }

    [Fact]
    public async Task Reuse_inside_the_grace_is_refused_and_the_login_lives_on_until_the_grace_ends()
    {
        var user = await _server.RegisterAsync();
        using var client = _server.CreateClient();
        var rotated = await client.PostJsonAsync("/api/token/refresh/", new { refresh = user.Refresh });
        // The clock is shifted, not frozen: real time passes between the steps as well. Half the grace
        // leaves a loaded CI machine seconds of slack, where 9.5 s left it half a second, and lost once.
        _clock.Advance(TimeSpan.FromSeconds(5));

        var inside = await client.PostJsonAsync("/api/token/refresh/", new { refresh = user.Refresh });
        Assert.Equal(401, inside.Status);
        Assert.Equal(200, (await client.GetJsonAsync("/api/hello/", Bearer(rotated.Str("access")!))).Status);

        _clock.Advance(TimeSpan.FromSeconds(5.5)); // 10.5 s after the rotation, and more in real time
        var after = await client.PostJsonAsync("/api/token/refresh/", new { refresh = user.Refresh });
        Assert.Equal(401, after.Status);
        Assert.Equal(401, (await client.GetJsonAsync("/api/hello/", Bearer(rotated.Str("access")!))).Status);
    }

    [Fact]
    public async Task Expired_revocations_leave_memory_on_their_own_schedule_with_the_database_sweeper_off()
    {
        var state = _server.Services.GetRequiredService<RevocationState>();
        var user = await _server.RegisterAsync();
        using var client = _server.CreateClient();
        Assert.Equal(200, (await client.PostJsonAsync("/api/token/blacklist/", new { refresh = user.Refresh })).Status);
        var before = state.Count;
        Assert.True(before > 0);

        _clock.Advance(TimeSpan.FromHours(1)); // past every token the revoked login can have minted

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (state.Count > 0 && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        Assert.Equal(0, state.Count);
    }

    /// <summary>Fails the second write of a logout or a reuse detection, the login's revocation, while armed.</summary>
    private sealed class FaultOnLoginRevocation : DbCommandInterceptor
    {
        public volatile bool Armed;

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            FailIfArmed(command);
            return base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            FailIfArmed(command);
            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }

        private void FailIfArmed(DbCommand command)
        {
            if (Armed && command.CommandText.Contains("INSERT INTO", StringComparison.Ordinal)
                && command.CommandText.Contains("revoked_logins", StringComparison.Ordinal))
                throw new SqliteException("injected fault: disk I/O error", 10);
        }
    }
}
