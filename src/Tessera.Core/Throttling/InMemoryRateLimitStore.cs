using System.Collections.Concurrent;

namespace Tessera.Core.Throttling;

/// <summary>
/// <see cref="IRateLimitStore"/> in this process's memory: right for a single instance (all its
/// requests are counted here), wrong for several (use a shared store). Lock-free: one GCRA
/// timestamp per key, updated by compare-and-swap. Memory is bounded by the keys that are not at
/// full allowance: a key whose timestamp has passed is evicted by a sweep that runs at most once
/// per <see cref="SweepInterval"/>, on the request that finds it due.
/// </summary>
internal sealed class InMemoryRateLimitStore : IRateLimitStore
{
    /// <summary>Marks a cell that a sweep removed; a taker that meets it retries with a fresh cell.</summary>
    private const long Evicted = long.MaxValue;

    private readonly ConcurrentDictionary<string, Cell> _cells = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly SweepSchedule _sweep;

    public InMemoryRateLimitStore(TimeProvider time) : this(time, TimeSpan.FromSeconds(30))
    {
    }

    public InMemoryRateLimitStore(TimeProvider time, TimeSpan sweepInterval)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _sweep = new SweepSchedule(sweepInterval, Now());
    }

    /// <summary>How often idle keys are looked for.</summary>
    public TimeSpan SweepInterval => _sweep.Interval;

    /// <summary>The number of keys held (those not yet evicted).</summary>
    public int Count => _cells.Count;

    public ValueTask<RateLimitDecision> AcquireAsync(string key, RateLimit limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(limit);
        var now = Now();
        SweepIfDue(now);
        return ValueTask.FromResult(Acquire(key, limit, now));
    }

    private RateLimitDecision Acquire(string key, RateLimit limit, long now)
    {
        while (true)
        {
            var cell = _cells.GetOrAdd(key, static _ => new Cell());
            while (true)
            {
                var tat = Volatile.Read(ref cell.Tat);
                if (tat == Evicted)
                {
                    // A sweep took this cell out (it was at full allowance); help remove it and start afresh.
                    _cells.TryRemove(new KeyValuePair<string, Cell>(key, cell));
                    break;
                }
                var (decision, newTat) = Gcra.Evaluate(tat, now, limit);
                if (!decision.Allowed || Interlocked.CompareExchange(ref cell.Tat, newTat, tat) == tat)
                    return decision;
            }
        }
    }

    /// <summary>Removes every key at full allowance now; returns how many were removed.</summary>
    public int RemoveIdle() => RemoveIdle(Now());

    private int RemoveIdle(long now)
    {
        var removed = 0;
        foreach (var (key, cell) in _cells)
        {
            var tat = Volatile.Read(ref cell.Tat);
            // Only a cell still at the TAT we read is evicted: a concurrent taker's CAS then fails and retries.
            if (tat <= now && Interlocked.CompareExchange(ref cell.Tat, Evicted, tat) == tat)
            {
                _cells.TryRemove(new KeyValuePair<string, Cell>(key, cell));
                removed++;
            }
        }
        return removed;
    }

    private void SweepIfDue(long now) => _sweep.RunIfDue(now, RemoveIdle);

    private long Now() => _time.GetUtcNow().UtcTicks;

    private sealed class Cell
    {
        public long Tat;
    }
}
