using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Core.Revocation;
using Tessera.Core.SigningKeys;
using Tessera.Core.Users;

namespace Tessera.AspNetCore.Revocation;

/// <summary>
/// Where the revocation stream's events come from: live, the changes applied to this instance's
/// memory (<see cref="AppliedAdmissionChanges"/>, whichever instance made them); on connect, what is
/// still in force (from memory) or, on resume, the feed since the client's last event.
/// </summary>
internal sealed class RevocationStreamSource(
    AppliedAdmissionChanges applied,
    RevocationState revocations,
    UserSnapshots users,
    RevocationSynchronizer synchronizer,
    IServiceScopeFactory scopes,
    TimeProvider time,
    TimeSpan longestTokenLifetime,
    SigningKeyRingKeeper? signingKeys)
{
    /// <summary>
    /// How far below the client's last id a resume re-reads: ids are taken at insert but commit in any
    /// order (PostgreSQL), so an event below the last one sent may have committed after it was sent.
    /// The synchronizer looks for such gaps among as many recent ids (<see cref="RevocationSnapshot.RecentIdSpan"/>).
    /// </summary>
    public const int ResumeMargin = RevocationSnapshot.RecentIdSpan;

    private const int ReadBatch = 500;

    /// <summary>
    /// Hands every change applied from now on, as an event, to <paramref name="events"/> — the listener
    /// returns at once. A connection whose queue is full is completed with <see cref="StreamOverflowException"/>.
    /// </summary>
    /// <param name="endsReader">
    /// Whether the change ends the reader's own right to the stream (its login revoked, its user
    /// deactivated or no longer staff): the stream then ends after that event, and its client's
    /// reconnection is refused. Memory only, as the listener must return at once.
    /// </param>
    public IDisposable Subscribe(ChannelWriter<RevocationStreamEvent> events, Func<AdmissionChange, bool>? endsReader = null)
        => applied.Subscribe(change =>
        {
            if (RevocationStreamEvent.Of(change, users) is { } e && !events.TryWrite(e))
                events.TryComplete(new StreamOverflowException());
            else if (endsReader?.Invoke(change) == true)
                events.TryComplete();
        });

    private long _newestApplied;
    private IDisposable? _watch;

    /// <summary>Starts following the applied ids (the feed's <see cref="RevocationSynchronizer.LastEventId"/> moves only when it polls; the bus brings them sooner).</summary>
    public void Start() => _watch ??= applied.Subscribe(change =>
    {
        long seen;
        while ((seen = Interlocked.Read(ref _newestApplied)) < change.Id && Interlocked.CompareExchange(ref _newestApplied, change.Id, seen) != seen) { }
    });

    /// <summary>The newest feed id this instance's memory has applied (everything at or below it is in memory, save gaps still to come).</summary>
    public long AppliedUpTo => Math.Max(0, Math.Max(synchronizer.LastEventId, Interlocked.Read(ref _newestApplied)));

    /// <summary>What is in force now, from memory: revoked logins not expired, users whose logins were ended recently enough that a token of theirs may still be valid, retired signing keys.</summary>
    public IEnumerable<RevocationStreamEvent> Snapshot()
    {
        var now = time.GetUtcNow();
        foreach (var (login, until) in revocations.InForce(now))
            yield return RevocationStreamEvent.RevokedLogin(null, login.ToString(), userId: null, until); // memory keeps no user per revoked login
        var since = (now - longestTokenLifetime).ToUnixTimeMilliseconds();
        foreach (var user in users.All())
            // Revoke-all, password change and deactivation set RevokedBeforeMs with the epoch; before
            // `since` every token they ended has expired anyway.
            if (user.RevokedBeforeMs is { } before && before >= since)
                yield return RevocationStreamEvent.EndedLogins(null, user.Id, user.RevocationEpoch, inactive: !user.IsActive);
        foreach (var (kid, until) in RetiredSigningKeys(now))
            yield return RevocationStreamEvent.RetiredKey(null, kid, until);
    }

    /// <summary>The signing keys retired whose tokens may still be valid (none under HS256: no key ring).</summary>
    private IEnumerable<(string Kid, long Until)> RetiredSigningKeys(DateTimeOffset now)
        => signingKeys?.RetiredInForce(now.ToUnixTimeSeconds()) ?? [];

    /// <summary>
    /// The feed's events after <paramref name="lastEventId"/> (re-read from <see cref="ResumeMargin"/>
    /// below it), handed to <paramref name="write"/> in order; the newest id read. Null when the feed
    /// no longer holds what followed it (swept), or when it names an event this deployment never had:
    /// the client then needs a snapshot.
    /// </summary>
    public async Task<long?> ReplayAsync(long lastEventId, Func<RevocationStreamEvent, ValueTask> write, CancellationToken cancellationToken)
    {
        if (lastEventId > AppliedUpTo)
            return null; // from another database, or ahead of this instance: a snapshot is exact
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<IAdmissionChangeFeedStore>();
        var oldest = await store.ReadEventsAsync(0, 1, cancellationToken).ConfigureAwait(false);
        if (lastEventId > 0 && (oldest.Count == 0 || oldest[0].Id > lastEventId + 1))
            return null; // swept: what came after it is not all there
        var newest = lastEventId;
        var after = Math.Max(0, lastEventId - ResumeMargin);
        while (true)
        {
            var events = await store.ReadEventsAsync(after, ReadBatch, cancellationToken).ConfigureAwait(false);
            foreach (var change in events)
            {
                if (RevocationStreamEvent.Of(change, users) is { } e)
                    await write(e).ConfigureAwait(false);
                after = change.Id;
                newest = Math.Max(newest, change.Id);
            }
            if (events.Count < ReadBatch)
                return newest;
        }
    }
}

/// <summary>A connection's queue filled up: it is closed, and its client reconnects.</summary>
internal sealed class StreamOverflowException() : Exception("The revocation stream's client did not keep up.");
