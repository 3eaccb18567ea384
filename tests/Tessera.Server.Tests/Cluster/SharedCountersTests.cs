using System.Net.Http.Headers;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Cluster;

/// <summary>
/// Throttles and login protection count on Redis, atomically: requests racing on two instances
/// get exactly the allowance of one deployment, not one allowance per instance.
/// </summary>
[Trait("Storage", "Cluster")]
public sealed class SharedCountersTests : IAsyncLifetime
{
    private TwoInstances _cluster = null!;

    public async Task InitializeAsync() => _cluster = await TwoInstances.StartAsync(settings =>
    {
        settings["Tessera:Throttling:Rates:user"] = "10/hour";
        settings["Tessera:LoginProtection:MaxFailuresPerUsername"] = "6";
        settings["Tessera:LoginProtection:SlowdownAfter"] = "100";
        // Logins still hashing when the others arrive, so that many are in flight at once.
        settings["Tessera:Passwords:Iterations"] = "100000";
    });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Concurrent_requests_on_two_instances_share_one_allowance()
    {
        var user = await _cluster.A.RegisterAsync();
        var statuses = await RaceAsync(40, client => client.GetJsonAsync("/api/throttled/", user.Bearer));

        Assert.Equal(10, statuses.Count(s => s == 200));
        Assert.Equal(30, statuses.Count(s => s == 429));
    }

    [Fact]
    public async Task Concurrent_wrong_passwords_on_two_instances_share_one_limit()
    {
        var user = await _cluster.A.RegisterAsync();
        var statuses = await RaceAsync(20, client => client.PostJsonAsync("/api/token/", new { username = user.Username, password = "wrong-" + Guid.NewGuid() }));

        Assert.Equal(6, statuses.Count(s => s == 401));
        Assert.Equal(14, statuses.Count(s => s == 429));
        // The limit holds for the right password too, on either instance.
        using var client = _cluster.B.CreateClient();
        Assert.Equal(429, (await client.PostJsonAsync("/api/token/", new { username = user.Username, password = user.Password })).Status);
    }

    [Fact]
    public async Task Concurrent_right_passwords_on_two_instances_all_sign_in()
    {
        // Attempts in flight on either instance are no failures: the ones beyond the limit wait for
        // them (woken by the poll, for those of the other instance) instead of being refused.
        var user = await _cluster.A.RegisterAsync();
        var statuses = await RaceAsync(20, client => client.PostJsonAsync("/api/token/", new { username = user.Username, password = user.Password }));

        Assert.All(statuses, s => Assert.Equal(200, s));
    }

    /// <summary>Sends <paramref name="count"/> requests at once, half to each instance; their statuses.</summary>
    private async Task<int[]> RaceAsync(int count, Func<HttpClient, Task<ApiResponse>> send)
    {
        using var onA = _cluster.A.CreateClient();
        using var onB = _cluster.B.CreateClient();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var requests = Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            await start.Task;
            return (await send(i % 2 == 0 ? onA : onB)).Status;
        })).ToArray();
        start.SetResult();
        return await Task.WhenAll(requests);
    }
}
