using System.Collections.Concurrent;

namespace Tessera.Core.Users;

/// <summary>
/// Every user's <see cref="UserSnapshot"/>, in memory: loaded from the database at start and kept
/// current by the revocation feed, so that the gate asks no database on the request path.
/// </summary>
public sealed class UserSnapshots
{
    private readonly ConcurrentDictionary<long, UserSnapshot> _users = new();

    public int Count => _users.Count;

    public UserSnapshot? Find(long userId) => _users.TryGetValue(userId, out var user) ? user : null;

    /// <summary>The user as the database now has it; null when it is gone.</summary>
    public void Set(long userId, UserSnapshot? user)
    {
        if (user is null)
            _users.TryRemove(userId, out _);
        else
            _users[userId] = user;
    }

    public void Reload(IEnumerable<UserSnapshot> users)
    {
        var fresh = users.ToDictionary(u => u.Id);
        foreach (var id in _users.Keys)
            if (!fresh.ContainsKey(id))
                _users.TryRemove(id, out _);
        foreach (var (id, user) in fresh)
            _users[id] = user;
    }
}
