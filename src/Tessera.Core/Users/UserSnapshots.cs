using System.Collections.Concurrent;

namespace Tessera.Core.Users;

/// <summary>
/// Every user's <see cref="UserSnapshot"/>, in memory: loaded from the database at start and kept
/// current by the revocation feed, so that the gate asks no database on the request path. Also the
/// ids known to have no user (deleted, or asked for and not found), so that a valid token of a
/// deleted user is refused from memory instead of sending every request to the database.
/// </summary>
public sealed class UserSnapshots
{
    /// <summary>The most ids remembered as missing; past it the set starts again (a bound, not a cache policy).</summary>
    public const int MaxMissing = 100_000;

    private readonly ConcurrentDictionary<long, UserSnapshot> _users = new();
    private readonly ConcurrentDictionary<long, byte> _missing = new();

    public int Count => _users.Count;

    public UserSnapshot? Find(long userId) => _users.TryGetValue(userId, out var user) ? user : null;

    /// <summary>Every user held now (a moving view: the revocation stream's snapshot walks it).</summary>
    internal IEnumerable<UserSnapshot> All()
    {
        // The dictionary's own enumerator: no lock and no copy of every user (Values takes both).
        foreach (var (_, user) in _users)
            yield return user;
    }

    private readonly ConcurrentDictionary<long, int> _reloading = new();
    private int _reloadingCount;

    /// <summary>
    /// Marks a user whose change another instance has committed and announced, while this one reads
    /// the row: until <see cref="EndReload"/>, <see cref="IsReloading"/> tells the gate not to decide on
    /// the snapshot it holds (it reads the feed first). Counted, so overlapping announcements each end their own.
    /// </summary>
    public void BeginReload(long userId)
    {
        _reloading.AddOrUpdate(userId, 1, static (_, n) => n + 1);
        Interlocked.Increment(ref _reloadingCount);
    }

    public void EndReload(long userId)
    {
        while (_reloading.TryGetValue(userId, out var n))
        {
            if (n <= 1 ? _reloading.TryRemove(new KeyValuePair<long, int>(userId, n)) : _reloading.TryUpdate(userId, n - 1, n))
            {
                Interlocked.Decrement(ref _reloadingCount);
                return;
            }
        }
    }

    /// <summary>Whether a change of this user is known to be committed but not yet in its snapshot. One read when none is.</summary>
    public bool IsReloading(long userId) => Volatile.Read(ref _reloadingCount) > 0 && _reloading.ContainsKey(userId);

    /// <summary>
    /// True when the database is known to have no user with this id: it was deleted, or a read of the
    /// feed after a request named it found none. A user made later clears it (its event sets it).
    /// </summary>
    public bool IsKnownMissing(long userId) => _missing.ContainsKey(userId);

    public void MarkMissing(long userId)
    {
        if (_missing.Count >= MaxMissing)
            _missing.Clear();
        _missing.TryAdd(userId, 0);
    }

    /// <summary>The user as the database now has it; null when it is gone.</summary>
    public void Set(long userId, UserSnapshot? user)
    {
        if (user is null)
        {
            _users.TryRemove(userId, out _);
            MarkMissing(userId);
        }
        else
        {
            _users[userId] = user;
            _missing.TryRemove(userId, out _);
        }
    }

    public void Reload(IEnumerable<UserSnapshot> users)
    {
        var fresh = users.ToDictionary(u => u.Id);
        foreach (var id in _users.Keys)
            if (!fresh.ContainsKey(id))
            {
                _users.TryRemove(id, out _);
                MarkMissing(id);
            }
        foreach (var (id, user) in fresh)
        {
            _users[id] = user;
            _missing.TryRemove(id, out _);
        }
    }
}
