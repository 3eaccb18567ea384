using System.Collections.Concurrent;
using System.Net.Http.Headers;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Cluster;

/// <summary>
/// Redis stopped under traffic over two instances: the bus is down, so each instance reads the
/// database feed before deciding, and nothing revoked on the other is admitted; no request fails.
/// Redis started again: the bus resumes by itself, without a restart.
/// </summary>
[Trait("Storage", "Cluster")]
public sealed class RedisOutageTests : IAsyncLifetime
{
    private TwoInstances _cluster = null!;

    public async Task InitializeAsync() => _cluster = await TwoInstances.StartAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task No_revoked_credential_is_admitted_while_Redis_is_down_and_the_bus_resumes_when_it_is_back()
    {
        var (a, b) = (_cluster.A, _cluster.B);
        var user = await a.RegisterAsync();
        using var onA = a.CreateClient();
        using var onB = b.CreateClient();
        await TwoInstances.WaitUntilAsync(() => TwoInstances.IsLive(a) && TwoInstances.IsLive(b), TimeSpan.FromSeconds(10), "both buses are live");

        // Traffic on both instances the whole time: logins, authenticated reads, throttled views.
        var statuses = new ConcurrentBag<int>();
        using var stop = new CancellationTokenSource();
        var traffic = Task.Run(async () =>
        {
            var i = 0;
            while (!stop.IsCancellationRequested)
            {
                var client = i++ % 2 == 0 ? onA : onB;
                statuses.Add((await client.GetJsonAsync("/api/hello/", user.Bearer)).Status);
                statuses.Add((await client.GetJsonAsync("/api/throttled/", user.Bearer)).Status);
                statuses.Add((await client.PostJsonAsync("/api/token/", new { username = user.Username, password = user.Password })).Status);
            }
        });

        await _cluster.Services.StopRedisAsync();
        await TwoInstances.WaitUntilAsync(() => !TwoInstances.IsLive(a) && !TwoInstances.IsLive(b), TimeSpan.FromSeconds(10), "both buses notice Redis is gone");
        for (var i = 0; i < 5; i++)
        {
            // Revoked on A, refused by B on the very next request: no bus carried it, and the feed is polled once a minute.
            var pair = await onA.PostJsonAsync("/api/token/", new { username = user.Username, password = user.Password });
            Assert.Equal(200, pair.Status);
            var bearer = new AuthenticationHeaderValue("Bearer", pair.Str("access"));
            Assert.Equal(200, (await onB.GetJsonAsync("/api/hello/", bearer)).Status);
            Assert.Equal(205, (await onA.PostJsonAsync("/api/logout/", new { refresh = pair.Str("refresh") }, bearer)).Status);
            Assert.Equal(401, (await onB.GetJsonAsync("/api/hello/", bearer)).Status);

            // A session logged out on B is refused by A at once, although A remembered it.
            var browser = new Browser(b);
            await browser.GetCsrfAsync();
            Assert.Equal(200, (await browser.LoginAsync(user.Username, user.Password)).Status);
            Assert.Equal(200, (await browser.On(a).GetAsync("/api/hello/")).Status);
            Assert.Equal(200, (await browser.LogoutAsync()).Status);
            Assert.Equal(401, (await browser.On(a).GetAsync("/api/hello/")).Status);
        }

        await _cluster.Services.StartRedisAsync();
        await TwoInstances.WaitUntilAsync(() => TwoInstances.IsLive(a) && TwoInstances.IsLive(b), TimeSpan.FromSeconds(30), "both buses are live again");
        {
            // The bus carries revocations again: B refuses within the goal without reading the feed (polled once a minute).
            var pair = await onA.PostJsonAsync("/api/token/", new { username = user.Username, password = user.Password });
            var bearer = new AuthenticationHeaderValue("Bearer", pair.Str("access"));
            Assert.Equal(200, (await onB.GetJsonAsync("/api/hello/", bearer)).Status);
            Assert.Equal(205, (await onA.PostJsonAsync("/api/logout/", new { refresh = pair.Str("refresh") }, bearer)).Status);
            Assert.True(TwoInstances.IsLive(b));
            await TwoInstances.TimeUntilRefusedAsync(b, bearer, TimeSpan.FromSeconds(1));
        }

        await stop.CancelAsync();
        await traffic;
        Assert.NotEmpty(statuses);
        Assert.DoesNotContain(statuses, s => s >= 500);
    }

    [Fact]
    public async Task With_both_down_nothing_is_admitted_and_the_bus_comes_back_once_both_are_back()
    {
        var (a, b) = (_cluster.A, _cluster.B);
        var user = await a.RegisterAsync();
        using var onB = b.CreateClient();
        Assert.Equal(200, (await onB.GetJsonAsync("/api/hello/", user.Bearer)).Status);

        await _cluster.Services.StopPostgresAsync();
        await _cluster.Services.StopRedisAsync();
        await TwoInstances.WaitUntilAsync(() => !TwoInstances.IsLive(b), TimeSpan.FromSeconds(10), "B notices Redis is gone");
        // No bus and no feed: no decision can be made safely, so none is (503, not a guess).
        var refused = await onB.GetJsonAsync("/api/hello/", user.Bearer);
        Assert.Equal(503, refused.Status);
        Assert.Equal("application/json", refused.ContentType);

        // Redis first: the channel cannot catch up without the database, and keeps trying.
        await _cluster.Services.StartRedisAsync();
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.False(TwoInstances.IsLive(b));
        await _cluster.Services.StartPostgresAsync();
        await TwoInstances.WaitUntilAsync(() => TwoInstances.IsLive(a) && TwoInstances.IsLive(b), TimeSpan.FromSeconds(30), "both buses are live again");
        Assert.Equal(200, (await onB.GetJsonAsync("/api/hello/", user.Bearer)).Status);
    }
}
