using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Tessera.Core.Revocation;
using Tessera.Core.SigningKeys;
using Tessera.Core.Users;

namespace Tessera.Redis.Revocation;

/// <summary>
/// The deployment's revocation channel on Redis pub/sub: publishes this instance's committed events
/// and applies the other instances' ones as they arrive. Pub/sub delivers at most once, so the
/// channel is <see cref="IsLive"/> only from the moment its subscription has been seen to carry a
/// message (its own probe) <em>and</em> the database feed has been read after that; it stops being
/// live the moment a connection fails. While it is not, the admission gate reads the feed before each
/// decision (see <see cref="IRevocationBusState"/>). On reconnection it proves the subscription and
/// catches up again by itself, without a restart.
/// <para>
/// Delivery alone would leave a race: the request that revoked answers, its client sends the next
/// request to another instance, and that instance has the message in its socket but has not read it
/// yet. So a publication waits until every instance Redis delivered it to has confirmed that it took
/// effect there (<see cref="RedisOptions.AcknowledgeTimeout"/>), and only then is the request answered.
/// </para>
/// </summary>
internal sealed class RedisRevocationChannel(
    RedisConnection connection,
    RevocationSynchronizer synchronizer,
    RevocationState revocations,
    UserSnapshots users,
    IRevocationFeed feed,
    IServiceScopeFactory scopes,
    ILogger<RedisRevocationChannel> logger,
    SigningKeyRingKeeper? signingKeys = null) : IRevocationBusState, IHostedService
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(250);

    private readonly Guid _origin = Guid.NewGuid();
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);
    private readonly Lock _probeLock = new();
    private TaskCompletionSource? _probeSeen;
    private Guid _probe;
    private readonly Lock _liveLock = new();
    private ChannelMessageQueue? _queue;
    private ChannelMessageQueue? _acknowledgements;
    private readonly ConcurrentDictionary<long, Confirmations> _awaited = new();
    private long _failures;
    private volatile bool _live;
    private Task? _keeper;

    public bool IsLive => _live;

    private RedisChannel Channel => RedisChannel.Literal(connection.Key("revocations"));

    /// <summary>Where the instance <paramref name="origin"/> hears that its events took effect elsewhere.</summary>
    private RedisChannel AcknowledgementChannel(Guid origin) => RedisChannel.Literal(connection.Key("revocations:ack:" + origin.ToString("N")));

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var multiplexer = await connection.OpenAsync().ConfigureAwait(false);
        multiplexer.ConnectionFailed += (_, e) =>
        {
            bool wasLive;
            lock (_liveLock)
            {
                _failures++;
                wasLive = _live;
                _live = false;
            }
            // Once per outage as a warning: the library fails again at every reconnection attempt.
            if (wasLive)
                logger.LogWarning("Redis connection lost ({FailureType}); reading the revocation feed before each decision until it is back", e.FailureType);
            else
                logger.LogDebug("Redis connection failed again ({FailureType})", e.FailureType);
            _wake.Release();
        };
        multiplexer.ConnectionRestored += (_, _) => _wake.Release();
        // The first attempt in line, so a server that starts with Redis up is live before its first request.
        await TryBecomeLiveAsync(multiplexer, cancellationToken).ConfigureAwait(false);
        _keeper = Task.Run(() => KeepLiveAsync(multiplexer, _stopping.Token), CancellationToken.None);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _live = false;
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_keeper is not null)
            await _keeper.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (connection.Multiplexer is { } multiplexer)
        {
            try
            {
                await multiplexer.GetSubscriber().UnsubscribeAsync(Channel).ConfigureAwait(false);
                await multiplexer.GetSubscriber().UnsubscribeAsync(AcknowledgementChannel(_origin)).ConfigureAwait(false);
            }
            catch (RedisException) { }
        }
    }

    /// <summary>
    /// Publishes an event that this instance has committed and applied, and waits until every
    /// instance that received it has confirmed it (or <see cref="RedisOptions.AcknowledgeTimeout"/>
    /// has passed); false when Redis did not take it.
    /// </summary>
    public async Task<bool> PublishAsync(AdmissionChange e)
    {
        // Disconnected: the loss was logged once; the others are not live either, or they poll.
        if (connection.Multiplexer is not { IsConnected: true } multiplexer)
            return false;
        // Before publishing: a confirmation may arrive before Redis has answered with the count.
        var confirmations = _awaited[e.Id] = new Confirmations();
        try
        {
            // Counts this instance too (it hears its own message, and confirms it to itself).
            var receivers = await multiplexer.GetSubscriber().PublishAsync(Channel, RevocationMessage.Format(_origin, e)).ConfigureAwait(false);
            var timeout = connection.Options.AcknowledgeTimeout;
            if (!await confirmations.AllAsync(receivers, timeout, _stopping.Token).ConfigureAwait(false))
                logger.LogWarning(
                    "{Missing} of the {Receivers} instances subscribed to the revocation channel did not confirm event {EventId} within {Timeout}; they apply it when they read it",
                    receivers - confirmations.Count, receivers, e.Id, timeout);
            return true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // The others fall back on the feed: theirs is down too (not live), or they poll it.
            logger.LogDebug("Publishing revocation event {EventId} to Redis failed ({Error}); other instances read it from the database feed", e.Id, ex.Message);
            return false;
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return true; // shutting down: the event is committed and published; the others read it either way
        }
        finally
        {
            _awaited.TryRemove(e.Id, out _);
        }
    }

    /// <summary>Until stopped: whenever the channel is not live, tries to make it so, again and again.</summary>
    private async Task KeepLiveAsync(IConnectionMultiplexer multiplexer, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if (_live)
                    await _wake.WaitAsync(stopping).ConfigureAwait(false);
                else
                {
                    await TryBecomeLiveAsync(multiplexer, stopping).ConfigureAwait(false);
                    if (!_live)
                        await Task.Delay(RetryDelay, stopping).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task TryBecomeLiveAsync(IConnectionMultiplexer multiplexer, CancellationToken cancellationToken)
    {
        if (!multiplexer.IsConnected)
            return;
        long failuresBefore;
        lock (_liveLock)
            failuresBefore = _failures;
        try
        {
            var subscriber = multiplexer.GetSubscriber();
            if (_queue is null)
            {
                // Once: the library subscribes again by itself after a reconnection. One queue, so
                // messages are handled one at a time, in the order Redis sent them.
                _queue = await subscriber.SubscribeAsync(Channel).ConfigureAwait(false);
                _queue.OnMessage(OnMessage);
            }
            if (_acknowledgements is null)
            {
                _acknowledgements = await subscriber.SubscribeAsync(AcknowledgementChannel(_origin)).ConfigureAwait(false);
                _acknowledgements.OnMessage(OnAcknowledgement);
            }
            if (!await ProbeAsync(subscriber, cancellationToken).ConfigureAwait(false))
                return;
            // From here on every event reaches this instance by the channel; what was committed before, the feed has.
            await feed.CatchUpNowAsync(cancellationToken).ConfigureAwait(false);
            // Not if a connection failed meanwhile: what it carried since may be lost, so try again.
            lock (_liveLock)
                _live = _failures == failuresBefore && multiplexer.IsConnected;
            if (_live)
                logger.LogInformation("Redis revocation channel live");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Redis, or the database under the catch-up (EF wraps its faults in other types): not live
            // yet, and the keeper tries again. Nothing may end the keeper, or the channel stays deaf.
            logger.LogDebug("Redis revocation channel not live yet: {Error}", e.Message);
        }
    }

    /// <summary>Publishes a probe and waits to receive it: the subscription really carries messages.</summary>
    private async Task<bool> ProbeAsync(ISubscriber subscriber, CancellationToken cancellationToken)
    {
        TaskCompletionSource seen;
        Guid probe;
        lock (_probeLock)
        {
            _probeSeen = seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _probe = probe = Guid.NewGuid();
        }
        await subscriber.PublishAsync(Channel, RevocationMessage.FormatProbe(_origin, probe)).ConfigureAwait(false);
        try
        {
            await seen.Task.WaitAsync(ProbeTimeout, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>
    /// Synchronous, so that what can take effect at once does, before the next message: a revoked
    /// login is refused from here on; a changed user is marked as being read, so the gate reads the
    /// feed before deciding for them, until the row is in memory. The reads run in the background.
    /// </summary>
    private void OnMessage(ChannelMessage message)
    {
        if (!RevocationMessage.TryParse(message.Message, out var origin, out var e, out var probe))
        {
            logger.LogWarning("Ignored a malformed message on the Redis revocation channel");
            return;
        }
        if (origin == _origin)
        {
            if (e is null)
            {
                lock (_probeLock)
                    if (probe == _probe)
                        _probeSeen?.TrySetResult();
            }
            else if (_awaited.TryGetValue(e.Id, out var own))
                own.Add(); // this instance applied its own events before publishing them
            return;
        }
        if (e is null)
            return;
        switch (e.Kind)
        {
            case AdmissionChangeKind.LoginRevoked when LoginId.TryParse(e.LoginId, out var login):
                revocations.Revoke(login, e.ExpiresAt);
                break;
            case AdmissionChangeKind.UserChanged:
                users.BeginReload(e.UserId);
                break;
            case AdmissionChangeKind.SigningKeyRetired when e.LoginId is { Length: > 0 } keyId:
                signingKeys?.Retire(keyId, e.ExpiresAt);
                break;
        }
        Acknowledge(origin, e.Id);
        _ = ApplyAsync(e);
    }

    /// <summary>Tells the publisher that its event has taken effect here; fire and forget, as it waits with a timeout.</summary>
    private void Acknowledge(Guid origin, long eventId)
    {
        try
        {
            connection.Multiplexer?.GetSubscriber().Publish(
                AcknowledgementChannel(origin), RevocationMessage.FormatAcknowledgement(_origin, eventId), CommandFlags.FireAndForget);
        }
        catch (RedisException ex)
        {
            logger.LogDebug("Acknowledging revocation event {EventId} failed ({Error})", eventId, ex.Message);
        }
    }

    private void OnAcknowledgement(ChannelMessage message)
    {
        if (RevocationMessage.TryParseAcknowledgement(message.Message, out var eventId) && _awaited.TryGetValue(eventId, out var confirmations))
            confirmations.Add();
    }

    /// <summary>The event through the synchronizer, in turn with the feed (it reads the user's row).</summary>
    private async Task ApplyAsync(AdmissionChange e)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await synchronizer.ApplyAsync(e, scope.ServiceProvider.GetRequiredService<IAdmissionChangeFeedStore>(), AdmissionChangePath.Bus, _stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // A user change needs a read; without the database it waits for the feed, which has the event.
            logger.LogWarning("Applying revocation event {EventId} from Redis failed ({Error}); the database feed will apply it", e.Id, ex.Message);
        }
        finally
        {
            if (e.Kind == AdmissionChangeKind.UserChanged)
                users.EndReload(e.UserId);
        }
    }

    /// <summary>The confirmations of one published event, counted until they reach its receivers.</summary>
    private sealed class Confirmations
    {
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _count;
        private long _expected = long.MaxValue;

        public long Count => Interlocked.Read(ref _count);

        public void Add()
        {
            if (Interlocked.Increment(ref _count) >= Interlocked.Read(ref _expected))
                _all.TrySetResult();
        }

        /// <summary>True once <paramref name="receivers"/> have confirmed; false when the time ran out first.</summary>
        public async Task<bool> AllAsync(long receivers, TimeSpan timeout, CancellationToken cancellationToken)
        {
            // Both sides read after a full fence, so whichever of Add and this comes second completes it.
            Interlocked.Exchange(ref _expected, receivers);
            if (Count >= receivers)
                return true;
            try
            {
                await _all.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (TimeoutException)
            {
                return false;
            }
        }
    }
}
