using System.Collections.Concurrent;

namespace Tessera.Core.Throttling;

/// <summary>
/// <see cref="ILoginAttemptStore"/> in this process's memory (a single instance). Memory is bounded:
/// a key is dropped when its count returns to zero, and keys whose window has passed are swept at
/// most once per <see cref="SweepInterval"/>, on the call that finds the sweep due.
/// </summary>
public sealed class InMemoryLoginAttemptStore : ILoginAttemptStore
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly SweepSchedule _sweep;

    public InMemoryLoginAttemptStore(TimeProvider time) : this(time, TimeSpan.FromMinutes(1))
    {
    }

    public InMemoryLoginAttemptStore(TimeProvider time, TimeSpan sweepInterval)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _sweep = new SweepSchedule(sweepInterval, Now());
    }

    /// <summary>How often keys whose window has passed are looked for.</summary>
    public TimeSpan SweepInterval => _sweep.Interval;

    /// <summary>The number of keys held.</summary>
    public int Count => _entries.Count;

    public ValueTask<LoginAttemptCount> TryCountAsync(string key, int limit, TimeSpan window, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var now = Now();
        SweepIfDue(now);
        while (true)
        {
            var entry = _entries.GetOrAdd(key, static _ => new Entry());
            lock (entry)
            {
                if (entry.Removed)
                    continue;
                if (entry.WindowEnd <= now)
                {
                    entry.Count = 0;
                    entry.WindowEnd = now + window.Ticks;
                }
                var prior = entry.Count;
                var windowEnd = new DateTimeOffset(entry.WindowEnd, TimeSpan.Zero);
                if (prior >= limit)
                    return ValueTask.FromResult(new LoginAttemptCount(false, prior, windowEnd));
                entry.Count = prior + 1;
                return ValueTask.FromResult(new LoginAttemptCount(true, prior, windowEnd));
            }
        }
    }

    public ValueTask UncountAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_entries.TryGetValue(key, out var entry))
        {
            lock (entry)
            {
                if (!entry.Removed && entry.Count > 0)
                    entry.Count--;
                if (entry.Count == 0)
                    Remove(key, entry);
            }
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask ResetAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_entries.TryGetValue(key, out var entry))
        {
            lock (entry)
                Remove(key, entry);
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Removes every key whose window has passed; returns how many were removed.</summary>
    public int RemoveExpired() => RemoveExpired(Now());

    private int RemoveExpired(long now)
    {
        var removed = 0;
        foreach (var (key, entry) in _entries)
        {
            lock (entry)
            {
                if (!entry.Removed && entry.WindowEnd <= now)
                {
                    Remove(key, entry);
                    removed++;
                }
            }
        }
        return removed;
    }

    /// <summary>Called under the entry's lock: marks it so a caller holding it retries with a fresh one.</summary>
    private void Remove(string key, Entry entry)
    {
        if (entry.Removed)
            return;
        entry.Removed = true;
        _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
    }

    private void SweepIfDue(long now) => _sweep.RunIfDue(now, RemoveExpired);

    private long Now() => _time.GetUtcNow().UtcTicks;

    private sealed class Entry
    {
        public int Count;
        public long WindowEnd;
        public bool Removed;
    }
}
