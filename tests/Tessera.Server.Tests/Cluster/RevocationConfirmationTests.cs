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
/// <remarks>
/// The claims are orderings, not durations, so a slow machine cannot fail them: the logout is still
/// unanswered while the third instance holds its confirmation, and once confirmed it is answered
/// long before the (longest allowed) timeout would have ended the wait.
/// </remarks>
[Trait("Storage", "Cluster")]
public sealed class RevocationConfirmationTests : IAsyncDisposable
{
    private static readonly TimeSpan LongestTimeout = TimeSpan.FromSeconds(10);
    private TwoInstances? _cluster;
    private ConnectionMultiplexer? _redis;

    public async ValueTask DisposeAsync()
    {
        if (_redis is not null) await _redis.DisposeAsync();
        if (_cluster is not null) await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task A_logout_waits_for_a_slow_instance_to_confirm_it()
    {
        await StartAsync(LongestTimeout);
        var heard = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var subscriber = _redis!.GetSubscriber();
        // Every event the logout publishes is confirmed, but only once the test lets it.
        (await subscriber.SubscribeAsync(Channel("revocations"))).OnMessage(async m =>
        {
            var parts = ((string)m.Message!).Split('|');
            if (parts is [_, _, "probe", _])
                return;
            heard.TrySetResult();
            await release.Task;
            await subscriber.PublishAsync(Channel("revocations:ack:" + parts[1]), $"1|{Guid.NewGuid():N}|ack|{parts[2]}");
        });

        var (user, onA, onB) = await SignedInAsync();
        var watch = Stopwatch.StartNew();
        var logout = onA.PostJsonAsync("/api/logout/", new { refresh = user.Refresh }, user.Bearer);
        await heard.Task.WaitAsync(TimeSpan.FromSeconds(10));

        // The third instance holds its confirmation: the logout must still be waiting for it.
        var first = await Task.WhenAny(logout, Task.Delay(TimeSpan.FromMilliseconds(500)));
        Assert.NotSame(logout, first);

        release.SetResult();
        Assert.Equal(205, (await logout).Status);
        Assert.True(watch.Elapsed < LongestTimeout, $"answered on the confirmation, not the timeout (took {watch.Elapsed})");
        Assert.Equal(401, (await onB.GetJsonAsync("/api/hello/", user.Bearer)).Status);
    }

    [Fact]
    public async Task A_logout_is_answered_when_an_instance_never_confirms_it()
    {
        var timeout = TimeSpan.FromMilliseconds(800);
        await StartAsync(timeout);
        await _redis!.GetSubscriber().SubscribeAsync(Channel("revocations"), (_, _) => { });

        var (user, onA, onB) = await SignedInAsync();
        var watch = Stopwatch.StartNew();
        Assert.Equal(205, (await onA.PostJsonAsync("/api/logout/", new { refresh = user.Refresh }, user.Bearer)).Status);
        Assert.True(watch.Elapsed >= timeout, $"waited out the silent instance (took {watch.Elapsed})");
        Assert.Equal(401, (await onB.GetJsonAsync("/api/hello/", user.Bearer)).Status);
    }

    [Fact]
    public async Task Without_a_silent_subscriber_a_logout_does_not_wait_for_the_timeout()
    {
        await StartAsync(LongestTimeout);
        var (user, onA, onB) = await SignedInAsync();
        var watch = Stopwatch.StartNew();
        Assert.Equal(205, (await onA.PostJsonAsync("/api/logout/", new { refresh = user.Refresh }, user.Bearer)).Status);
        Assert.True(watch.Elapsed < LongestTimeout, $"answered on both instances' confirmations (took {watch.Elapsed})");
        Assert.Equal(401, (await onB.GetJsonAsync("/api/hello/", user.Bearer)).Status);
    }

    private async Task StartAsync(TimeSpan acknowledgeTimeout)
    {
        _cluster = await TwoInstances.StartAsync(s => s["Tessera:Redis:AcknowledgeTimeout"] = acknowledgeTimeout.ToString("c"));
        _redis = await ConnectionMultiplexer.ConnectAsync(_cluster.Services.RedisConfiguration);
    }

    /// <summary>A user signed in on A whose access token B admits, with a client on each.</summary>
    private async Task<(RegisteredUser User, HttpClient OnA, HttpClient OnB)> SignedInAsync()
    {
        var cluster = _cluster!;
        await TwoInstances.WaitUntilAsync(() => TwoInstances.IsLive(cluster.A) && TwoInstances.IsLive(cluster.B), TimeSpan.FromSeconds(10), "both buses are live");
        var user = await cluster.A.RegisterAsync();
        var onA = cluster.A.CreateClient();
        var onB = cluster.B.CreateClient();
        Assert.Equal(200, (await onB.GetJsonAsync("/api/hello/", user.Bearer)).Status);
        return (user, onA, onB);
    }

    private RedisChannel Channel(string name)
        => RedisChannel.Literal(_cluster!.A.Services.GetRequiredService<IOptions<RedisOptions>>().Value.KeyPrefix + name);
}
