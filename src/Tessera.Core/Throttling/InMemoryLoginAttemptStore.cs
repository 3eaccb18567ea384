using System.Collections.Concurrent;
using System.Globalization;

namespace Tessera.Core.Throttling;

/// <summary>
/// <see cref="ILoginAttemptStore"/> in this process's memory (a single instance). Memory is bounded:
/// a key is dropped once it has neither failures in a window nor attempts in flight, and keys left
/// with only a passed window or expired slots are swept at most once per <see cref="SweepInterval"/>,
/// on the call that finds the sweep due.
/// </summary>
internal sealed class InMemoryLoginAttemptStore : ILoginAttemptStore
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly SweepSchedule _sweep;
    private long _lastSlot;

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

    public ValueTask<LoginAttemptAdmission> TryBeginAsync(string key, int limit, TimeSpan slotLifetime, CancellationToken cancellationToken = default)
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
                var failures = entry.FailuresAt(now);
                var inFlight = entry.SlotsAt(now);
                var windowEnd = new DateTimeOffset(entry.WindowEnd, TimeSpan.Zero);
                // Neither answer below leaves an empty entry: at a limit of at least one, the key holds a failure or a slot.
                if (failures >= limit)
                    return ValueTask.FromResult(new LoginAttemptAdmission(LoginAttemptOutcome.Refused, failures, inFlight, windowEnd, null));
                if (failures + inFlight >= limit)
                    return ValueTask.FromResult(new LoginAttemptAdmission(LoginAttemptOutcome.Busy, failures, inFlight, windowEnd, null));
                var slot = Interlocked.Increment(ref _lastSlot);
                (entry.Slots ??= []).Add(slot, now + slotLifetime.Ticks);
                return ValueTask.FromResult(new LoginAttemptAdmission(LoginAttemptOutcome.Admitted, failures, inFlight, windowEnd,
                    slot.ToString(CultureInfo.InvariantCulture)));
            }
        }
    }

    public ValueTask EndAsync(string key, string slot, LoginAttemptEnd end, TimeSpan window, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(slot);
        _ = long.TryParse(slot, NumberStyles.None, CultureInfo.InvariantCulture, out var slotId); // not ours: no slot to give back
        var now = Now();
        while (true)
        {
            // Only a failure needs the key: with no entry there is no slot to give back and no failure to forget.
            Entry? entry;
            if (end == LoginAttemptEnd.CountFailure)
                entry = _entries.GetOrAdd(key, static _ => new Entry());
            else if (!_entries.TryGetValue(key, out entry))
                return ValueTask.CompletedTask;
            lock (entry)
            {
                if (entry.Removed)
                {
                    if (end == LoginAttemptEnd.CountFailure)
                        continue;
                    return ValueTask.CompletedTask;
                }
                entry.Slots?.Remove(slotId);
                if (end == LoginAttemptEnd.CountFailure)
                {
                    if (entry.WindowEnd <= now)
                        (entry.Failures, entry.WindowEnd) = (0, now + window.Ticks);
                    entry.Failures++;
                }
                else if (end == LoginAttemptEnd.ClearFailures)
                    (entry.Failures, entry.WindowEnd) = (0, 0);
                if (entry.IsEmptyAt(now))
                    Remove(key, entry);
                return ValueTask.CompletedTask;
            }
        }
    }

    /// <summary>Removes every key left with neither failures in a window nor attempts in flight; returns how many were removed.</summary>
    public int RemoveExpired() => RemoveExpired(Now());

    private int RemoveExpired(long now)
    {
        var removed = 0;
        foreach (var (key, entry) in _entries)
        {
            lock (entry)
            {
                if (!entry.Removed && entry.IsEmptyAt(now))
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

    /// <summary>One key; every member is read and written under its lock.</summary>
    private sealed class Entry
    {
        public int Failures;
        public long WindowEnd;

        /// <summary>The slots of the attempts in flight: id → when it expires (ticks).</summary>
        public Dictionary<long, long>? Slots;

        public bool Removed;

        public int FailuresAt(long now) => WindowEnd > now ? Failures : 0;

        /// <summary>The slots still alive at <paramref name="now"/>; drops the others.</summary>
        public int SlotsAt(long now)
        {
            if (Slots is null)
                return 0;
            foreach (var (id, expires) in Slots)
            {
                if (expires <= now)
                    Slots.Remove(id); // allowed while enumerating a Dictionary
            }
            return Slots.Count;
        }

        public bool IsEmptyAt(long now) => FailuresAt(now) == 0 && SlotsAt(now) == 0;
    }
}
