using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Tessera.Redis;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Cluster;

/// <summary>
/// A revocation is answered only once every instance subscribed to the deployment's channel has
/// confirmed that it took effect there, so the client's next request, wherever it goes, is refused;
/// a subscriber that never confirms delays the answer by the timeout, never for good. The test plays
/// a third instance on the channel with its own Redis connection.
/// </summary>
[Trait("Storage", "Cluster")]
public sealed class RevocationConfirmationTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(800);
    private TwoInstances _cluster = null!;
    private ConnectionMultiplexer _redis = null!;

    public async Task InitializeAsync()
    {
        _cluster = await TwoInstances.StartAsync(s => s["Tessera:Redis:AcknowledgeTimeout"] = Timeout.ToString("c"));
        _redis = await ConnectionMultiplexer.ConnectAsync(_cluster.Services.RedisConfiguration);
    }

    public async Task DisposeAsync()
    {
        await _redis.DisposeAsync();
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task A_logout_waits_for_a_slow_instance_to_confirm_it()
    {
        var heard = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var subscriber = _redis.GetSubscriber();
        // The third instance confirms each event 300 ms after it hears it, as a real one does at once.
        (await subscriber.SubscribeAsync(Channel("revocations"))).OnMessage(async m =>
        {
            var parts = ((string)m.Message!).Split('|');
            if (parts.Length != 7)
                return; // a probe
            heard.TrySetResult(m.Message!);
            await Task.Delay(300);
            await subscriber.PublishAsync(Channel("revocations:ack:" + parts[1]), $"1|{Guid.NewGuid():N}|ack|{parts[2]}");
        });

        var elapsed = await TimeLogoutAsync();
        Assert.True(heard.Task.IsCompleted, "the third instance heard the logout before it was answered");
        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(300), Timeout - TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public async Task A_logout_is_answered_when_an_instance_never_confirms_it()
    {
        await _redis.GetSubscriber().SubscribeAsync(Channel("revocations"), (_, _) => { });
        var elapsed = await TimeLogoutAsync();
        Assert.InRange(elapsed, Timeout, Timeout + TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task Without_a_silent_subscriber_a_logout_does_not_wait_for_the_timeout()
    {
        Assert.True(await TimeLogoutAsync() < Timeout);
    }

    /// <summary>A logout on A, timed; B refuses the login on the very next request.</summary>
    private async Task<TimeSpan> TimeLogoutAsync()
    {
        await TwoInstances.WaitUntilAsync(() => TwoInstances.IsLive(_cluster.A) && TwoInstances.IsLive(_cluster.B), TimeSpan.FromSeconds(10), "both buses are live");
        var user = await _cluster.A.RegisterAsync();
        using var onA = _cluster.A.CreateClient();
        using var onB = _cluster.B.CreateClient();
        Assert.Equal(200, (await onB.GetJsonAsync("/api/hello/", user.Bearer)).Status);
        var watch = Stopwatch.StartNew();
        Assert.Equal(205, (await onA.PostJsonAsync("/api/logout/", new { refresh = user.Refresh }, user.Bearer)).Status);
        var elapsed = watch.Elapsed;
        Assert.Equal(401, (await onB.GetJsonAsync("/api/hello/", user.Bearer)).Status);
        return elapsed;
    }

    private RedisChannel Channel(string name)
        => RedisChannel.Literal(_cluster.A.Services.GetRequiredService<IOptions<RedisOptions>>().Value.KeyPrefix + name);
}
