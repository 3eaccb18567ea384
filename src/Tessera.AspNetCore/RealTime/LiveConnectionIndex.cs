namespace Tessera.AspNetCore.RealTime;

/// <summary>
/// Connections by one key (a login, a user, a signing key); the caller holds the lock. A key with
/// one connection (the usual case) stores it alone, without a set.
/// </summary>
internal sealed class LiveConnectionIndex<TKey> where TKey : notnull
{
    private readonly Dictionary<TKey, object> _entries = new();

    public int Count { get; private set; }

    public void Add(TKey key, LiveConnection live)
    {
        Count++;
        if (!_entries.TryGetValue(key, out var found))
            _entries[key] = live;
        else if (found is HashSet<LiveConnection> set)
            set.Add(live);
        else
            _entries[key] = new HashSet<LiveConnection> { (LiveConnection)found, live };
    }

    public void Remove(TKey key, LiveConnection live)
    {
        if (!_entries.TryGetValue(key, out var found))
            return;
        if (found is HashSet<LiveConnection> set)
        {
            if (!set.Remove(live))
                return;
            if (set.Count == 0)
                _entries.Remove(key);
        }
        else if (ReferenceEquals(found, live))
            _entries.Remove(key);
        else
            return;
        Count--;
    }

    /// <summary>Every connection of every key, copied (a reload of memory checks them all).</summary>
    public LiveConnection[] All()
    {
        var all = new List<LiveConnection>(Count);
        foreach (var found in _entries.Values)
        {
            if (found is HashSet<LiveConnection> set)
                all.AddRange(set);
            else
                all.Add((LiveConnection)found);
        }
        return [.. all];
    }

    /// <summary>The key's connections, copied (they are checked outside the lock), or null.</summary>
    public LiveConnection[]? Snapshot(TKey key)
        => !_entries.TryGetValue(key, out var found) ? null
            : found is HashSet<LiveConnection> set ? [.. set]
            : [(LiveConnection)found];
}
