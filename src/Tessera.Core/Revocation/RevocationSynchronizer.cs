using Tessera.Core.SigningKeys;
using Tessera.Core.Users;

namespace Tessera.Core.Revocation;

/// <summary>
/// Keeps this instance's memory (<see cref="RevocationState"/>, <see cref="UserSnapshots"/>, the
/// signing key ring's retirements) equal
/// to the database: a full load at start, then every event. Applying an event twice is harmless, and
/// so is applying events out of order (a revocation is a set; a user change reloads the user's row as
/// it is now), so a bus and the database feed may both deliver one. Applications run one at a
/// time: each reads the user's row and sets what it read, so two at once (the bus after a password
/// change, the feed with an older event of that user) could otherwise set the older read last and
/// take memory back to a state the database has left.
/// <para>
/// The feed is exact although ids are not given in commit order: on PostgreSQL a transaction takes
/// its event id when it inserts, so a later id can commit first, and a reader that only asked for
/// ids above the newest it has seen would skip the earlier one for good. So every id below the newest
/// seen that the feed has not returned is a <em>gap</em>, asked for again on every read until it
/// appears or <see cref="GapLookBack"/> passes (a rolled-back transaction leaves a gap that never fills).
/// </para>
/// <para>
/// Each change is told to <see cref="AppliedAdmissionChanges"/> once on this instance, by whichever
/// path brings it first: the bus (<see cref="ApplyAsync(AdmissionChange, IAdmissionChangeFeedStore, AdmissionChangePath, CancellationToken)"/>)
/// or the feed, and the path with it. An id the bus brought ahead of the feed is remembered until
/// the feed reaches it, so the feed does not tell it again.
/// </para>
/// </summary>
internal sealed class RevocationSynchronizer(RevocationState revocations, UserSnapshots users, AppliedAdmissionChanges? applied = null, SigningKeyRingKeeper? signingKeys = null)
{
    /// <summary>
    /// Events are swept after a day; an instance that could not read the feed for half of that may
    /// have missed some, so it reloads everything rather than trust the feed.
    /// </summary>
    public static readonly TimeSpan MaxFeedSilence = TimeSpan.FromHours(12);

    /// <summary>
    /// How long an id the feed skipped is looked for. Far longer than a transaction that writes an
    /// event stays open (a few statements); a transaction open for longer is not waited for.
    /// </summary>
    public static readonly TimeSpan GapLookBack = TimeSpan.FromMinutes(5);

    /// <summary>At most this many gaps are watched (a burst of rolled-back writes); the oldest go first.</summary>
    public const int MaxGaps = 10_000;

    private const int ReadBatch = 500;
    private const int GapsPerRead = 1000;

    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly SortedDictionary<long, DateTimeOffset> _gaps = new();
    /// <summary>Ids applied from the bus that the feed has not read yet: told once, when the bus brought them.</summary>
    private readonly HashSet<long> _appliedAhead = new();
    private long _lastEventId = -1;
    private DateTimeOffset _lastCaughtUp;

    /// <summary>How many ids below <see cref="LastEventId"/> the feed has not returned yet and still looks for.</summary>
    public int GapCount => _gaps.Count;

    /// <summary>The newest event this instance has applied; -1 before the first load.</summary>
    public long LastEventId => Interlocked.Read(ref _lastEventId);

    public bool IsLoaded => LastEventId >= 0;

    public Task LoadAsync(IAdmissionChangeFeedStore store, DateTimeOffset now, CancellationToken cancellationToken = default)
        => OneAtATimeAsync(() => LoadLockedAsync(store, now, cancellationToken), cancellationToken);

    private async Task LoadLockedAsync(IAdmissionChangeFeedStore store, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var snapshot = await store.LoadAsync(now, cancellationToken).ConfigureAwait(false);
        users.Reload(snapshot.Users);
        revocations.Reload(snapshot.RevokedLogins);
        _gaps.Clear();
        if (snapshot.RecentEventIds is { } recent)
        {
            // Ids below the newest that did not exist when it was read may still commit.
            var present = recent as ISet<long> ?? new HashSet<long>(recent);
            for (var id = Math.Max(1, snapshot.LastEventId - RevocationSnapshot.RecentIdSpan + 1); id < snapshot.LastEventId; id++)
                if (!present.Contains(id))
                    _gaps[id] = now;
        }
        _appliedAhead.RemoveWhere(id => id <= snapshot.LastEventId);
        Interlocked.Exchange(ref _lastEventId, snapshot.LastEventId);
        _lastCaughtUp = now;
        applied?.RaiseReloaded();
    }

    /// <summary>A committed change from this instance's bus (made here): applied, and told once.</summary>
    public Task ApplyAsync(AdmissionChange e, IAdmissionChangeFeedStore store, CancellationToken cancellationToken = default)
        => ApplyAsync(e, store, AdmissionChangePath.Here, cancellationToken);

    /// <summary>
    /// A committed change from a bus: made here (<see cref="AdmissionChangePath.Here"/>), or on another
    /// instance (<see cref="AdmissionChangePath.Bus"/>); applied, and told once.
    /// </summary>
    public Task ApplyAsync(AdmissionChange e, IAdmissionChangeFeedStore store, AdmissionChangePath path, CancellationToken cancellationToken = default)
        => OneAtATimeAsync(async () =>
        {
            var first = FirstDelivery(e.Id);
            await ApplyLockedAsync(e, store, cancellationToken).ConfigureAwait(false);
            if (first)
                applied?.Raise(e, path);
        }, cancellationToken);

    /// <summary>
    /// True when the feed has not applied <paramref name="id"/> yet (above the newest it read, or one of
    /// its gaps) and the bus has not brought it before; the feed then skips telling it.
    /// </summary>
    private bool FirstDelivery(long id)
    {
        if (id > LastEventId)
            return _appliedAhead.Add(id);
        // A gap the bus fills is no longer looked for: its change is applied.
        return _gaps.Remove(id);
    }

    /// <summary>A change the feed read: applied, and told unless the bus brought it first.</summary>
    private async Task ApplyFromFeedLockedAsync(AdmissionChange e, IAdmissionChangeFeedStore store, CancellationToken cancellationToken)
    {
        await ApplyLockedAsync(e, store, cancellationToken).ConfigureAwait(false);
        // Made elsewhere, as a rule: a change made here is applied by the bus as it commits. Only a feed
        // read that falls between that commit and this instance's own publication reads it first.
        if (!_appliedAhead.Remove(e.Id))
            applied?.Raise(e, AdmissionChangePath.Feed);
    }

    private async Task ApplyLockedAsync(AdmissionChange e, IAdmissionChangeFeedStore store, CancellationToken cancellationToken)
    {
        switch (e.Kind)
        {
            case AdmissionChangeKind.LoginRevoked when LoginId.TryParse(e.LoginId, out var login):
                revocations.Revoke(login, e.ExpiresAt);
                break;
            case AdmissionChangeKind.UserChanged:
                users.Set(e.UserId, await store.LoadUserAsync(e.UserId, cancellationToken).ConfigureAwait(false));
                break;
            case AdmissionChangeKind.SigningKeyRetired when e.LoginId is { Length: > 0 } keyId:
                // Only with an asymmetric ring; HS256's one key is never retired this way.
                signingKeys?.Retire(keyId, e.ExpiresAt);
                break;
        }
    }

    /// <summary>
    /// Applies the events committed since the last one seen (by any instance or process, the CLI
    /// included). After a long silence some may have been swept, so it reloads everything.
    /// </summary>
    public Task<int> CatchUpAsync(IAdmissionChangeFeedStore store, DateTimeOffset now, CancellationToken cancellationToken = default)
        => OneAtATimeAsync(() => CatchUpLockedAsync(store, now, cancellationToken), cancellationToken);

    private async Task<int> CatchUpLockedAsync(IAdmissionChangeFeedStore store, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!IsLoaded || now - _lastCaughtUp > MaxFeedSilence)
        {
            await LoadLockedAsync(store, now, cancellationToken).ConfigureAwait(false);
            return 0;
        }
        var applied = await FillGapsLockedAsync(store, now, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var events = await store.ReadEventsAsync(LastEventId, ReadBatch, cancellationToken).ConfigureAwait(false);
            foreach (var e in events)
            {
                if (e.Id <= LastEventId)
                    continue; // a store that returns what was not asked for
                for (var skipped = LastEventId + 1; skipped < e.Id; skipped++)
                    AddGap(skipped, now);
                await ApplyFromFeedLockedAsync(e, store, cancellationToken).ConfigureAwait(false);
                AdvanceTo(e.Id);
                applied++;
            }
            if (events.Count < ReadBatch)
            {
                _lastCaughtUp = now;
                return applied;
            }
        }
    }

    /// <summary>Applies the events that have appeared in gaps since the last read, and stops looking for old gaps.</summary>
    private async Task<int> FillGapsLockedAsync(IAdmissionChangeFeedStore store, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (_gaps.Count == 0)
            return 0;
        var expired = _gaps.Where(g => now - g.Value > GapLookBack).Select(g => g.Key).ToList();
        foreach (var id in expired)
            _gaps.Remove(id);
        var applied = 0;
        foreach (var ids in _gaps.Keys.Chunk(GapsPerRead).ToList())
        {
            foreach (var e in await store.ReadEventsAsync(ids, cancellationToken).ConfigureAwait(false))
            {
                if (!_gaps.Remove(e.Id))
                    continue;
                await ApplyFromFeedLockedAsync(e, store, cancellationToken).ConfigureAwait(false);
                applied++;
            }
        }
        return applied;
    }

    private void AddGap(long id, DateTimeOffset now)
    {
        _gaps[id] = now;
        if (_gaps.Count > MaxGaps)
            _gaps.Remove(_gaps.Keys.First());
    }

    private async Task OneAtATimeAsync(Func<Task> apply, CancellationToken cancellationToken)
        => await OneAtATimeAsync(async () => { await apply().ConfigureAwait(false); return 0; }, cancellationToken).ConfigureAwait(false);

    private async Task<T> OneAtATimeAsync<T>(Func<Task<T>> apply, CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await apply().ConfigureAwait(false);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private void AdvanceTo(long id)
    {
        long seen;
        while ((seen = Interlocked.Read(ref _lastEventId)) < id && Interlocked.CompareExchange(ref _lastEventId, id, seen) != seen) { }
    }
}
