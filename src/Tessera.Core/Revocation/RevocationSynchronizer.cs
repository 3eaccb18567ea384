using Tessera.Core.Users;

namespace Tessera.Core.Revocation;

/// <summary>
/// Keeps this instance's memory (<see cref="RevocationState"/>, <see cref="UserSnapshots"/>) equal
/// to the database: a full load at start, then every event in order. Applying an event twice is
/// harmless, so the local bus and the database feed may both deliver it. Applications run one at a
/// time: each reads the user's row and sets what it read, so two at once (the bus after a password
/// change, the feed with an older event of that user) could otherwise set the older read last and
/// take memory back to a state the database has left.
/// </summary>
public sealed class RevocationSynchronizer(RevocationState revocations, UserSnapshots users)
{
    /// <summary>
    /// Events are swept after a day; an instance that could not read the feed for half of that may
    /// have missed some, so it reloads everything rather than trust the feed.
    /// </summary>
    public static readonly TimeSpan MaxFeedSilence = TimeSpan.FromHours(12);

    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private long _lastEventId = -1;
    private DateTimeOffset _lastCaughtUp;

    /// <summary>The newest event this instance has applied; -1 before the first load.</summary>
    public long LastEventId => Interlocked.Read(ref _lastEventId);

    public bool IsLoaded => LastEventId >= 0;

    public Task LoadAsync(IRevocationStore store, DateTimeOffset now, CancellationToken cancellationToken = default)
        => OneAtATimeAsync(() => LoadLockedAsync(store, now, cancellationToken), cancellationToken);

    private async Task LoadLockedAsync(IRevocationStore store, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var snapshot = await store.LoadAsync(now, cancellationToken).ConfigureAwait(false);
        users.Reload(snapshot.Users);
        revocations.Reload(snapshot.RevokedLogins);
        Interlocked.Exchange(ref _lastEventId, snapshot.LastEventId);
        _lastCaughtUp = now;
    }

    public Task ApplyAsync(RevocationEvent e, IRevocationStore store, CancellationToken cancellationToken = default)
        => OneAtATimeAsync(() => ApplyLockedAsync(e, store, cancellationToken), cancellationToken);

    private async Task ApplyLockedAsync(RevocationEvent e, IRevocationStore store, CancellationToken cancellationToken)
    {
        switch (e.Kind)
        {
            case RevocationEventKind.LoginRevoked when LoginId.TryParse(e.LoginId, out var login):
                revocations.Revoke(login, e.ExpiresAt);
                break;
            case RevocationEventKind.UserChanged:
                users.Set(e.UserId, await store.LoadUserAsync(e.UserId, cancellationToken).ConfigureAwait(false));
                break;
        }
    }

    /// <summary>
    /// Applies the events committed since the last one seen (by any instance or process, the CLI
    /// included). After a long silence some may have been swept, so it reloads everything.
    /// </summary>
    public Task<int> CatchUpAsync(IRevocationStore store, DateTimeOffset now, CancellationToken cancellationToken = default)
        => OneAtATimeAsync(() => CatchUpLockedAsync(store, now, cancellationToken), cancellationToken);

    private async Task<int> CatchUpLockedAsync(IRevocationStore store, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!IsLoaded || now - _lastCaughtUp > MaxFeedSilence)
        {
            await LoadLockedAsync(store, now, cancellationToken).ConfigureAwait(false);
            return 0;
        }
        var applied = 0;
        while (true)
        {
            var events = await store.ReadEventsAsync(LastEventId, 500, cancellationToken).ConfigureAwait(false);
            foreach (var e in events)
            {
                await ApplyLockedAsync(e, store, cancellationToken).ConfigureAwait(false);
                AdvanceTo(e.Id);
                applied++;
            }
            if (events.Count < 500)
            {
                _lastCaughtUp = now;
                return applied;
            }
        }
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
