using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tessera.AspNetCore.Audit;
using Tessera.Core.Audit;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Audit;

/// <summary>A flood of failed sign-ins writes a bounded number of rows, and its count in one aggregate row.</summary>
public sealed class FailureFloodTests : IAsyncLifetime
{
    private readonly ShiftedTimeProvider _clock = new();
    private readonly TesseraServer _server = new();

    public Task InitializeAsync()
    {
        _server.ConfigureServices = services => services.AddSingleton<TimeProvider>(_clock);
        return _server.InitializeAsync();
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task Ten_thousand_failed_logins_against_one_account_write_at_most_ten_rows_of_each_kind_and_one_count()
    {
        const int Attempts = 10_000;
        var user = await _server.RegisterAsync("flood");
        var statuses = new int[Attempts];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            using var client = _server.CreateClient();
            int i;
            while ((i = Interlocked.Increment(ref next)) < Attempts)
                statuses[i] = (await client.PostJsonAsync("/api/token/", new { username = user.Username, password = "wrong-" + i })).Status;
        }));
        Assert.All(statuses, s => Assert.True(s is 401 or 429, $"status {s}"));

        _clock.Advance(TimeSpan.FromMinutes(16)); // past the 15-minute window
        await _server.Services.GetRequiredService<AuditRecorder>().FlushAsync(_server.Services.GetRequiredService<IServiceScopeFactory>(), default);

        await using var db = _server.CreateDbContext();
        var failures = await db.AuditEvents.AsNoTracking()
            .Where(e => e.Event == AuditEvents.LoginFail || e.Event == AuditEvents.LoginLock).ToListAsync();
        var named = failures.Where(e => e.Username == user.Username).ToList();
        Assert.True(named.Count(e => e.Event == AuditEvents.LoginFail) <= 10);
        Assert.True(named.Count(e => e.Event == AuditEvents.LoginLock) <= 10);
        var aggregates = failures.Where(e => e.Username is null).ToList();
        Assert.InRange(aggregates.Count, 1, 2); // one per event name
        var suppressed = aggregates.Sum(e => System.Text.Json.JsonDocument.Parse(e.Details!).RootElement.GetProperty("suppressed").GetInt32());
        Assert.Equal(Attempts, named.Count + suppressed);
    }
}
