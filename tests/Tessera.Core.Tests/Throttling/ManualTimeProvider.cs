namespace Tessera.Core.Tests.Throttling;

/// <summary>
/// A clock that moves only when told to (thread-safe). Its timers (<c>Task.Delay</c>, timeouts of a
/// <c>CancellationTokenSource</c> made with it) fire when <see cref="Advance"/> reaches them, never by themselves.
/// </summary>
internal sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly List<ManualTimer> _timers = [];
    private long _ticks = start.UtcTicks;

    public ManualTimeProvider() : this(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    /// <summary>How many timers are set to fire.</summary>
    public int PendingTimers
    {
        get
        {
            lock (_timers)
                return _timers.Count(t => t.Due is not null);
        }
    }

    public void Advance(TimeSpan by)
    {
        var now = Interlocked.Add(ref _ticks, by.Ticks);
        List<ManualTimer> due;
        lock (_timers)
            due = _timers.Where(t => t.Due <= now).ToList();
        foreach (var timer in due)
            timer.Fire(now);
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        lock (_timers)
            _timers.Add(timer);
        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class ManualTimer(ManualTimeProvider clock, TimerCallback callback, object? state) : ITimer
    {
        private TimeSpan _period;

        /// <summary>When it fires next (ticks); null when stopped. Read and written under the clock's timer list lock.</summary>
        public long? Due { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            long now;
            lock (clock._timers)
            {
                _period = period;
                now = clock.GetUtcNow().UtcTicks;
                Due = dueTime == Timeout.InfiniteTimeSpan ? null : now + dueTime.Ticks;
            }
            if (dueTime == TimeSpan.Zero)
                Fire(now); // due now, as a real timer would be
            return true;
        }

        public void Fire(long now)
        {
            lock (clock._timers)
            {
                if (Due is null || Due > now)
                    return;
                Due = _period == Timeout.InfiniteTimeSpan || _period == TimeSpan.Zero ? null : now + _period.Ticks;
            }
            callback(state);
        }

        public void Dispose()
        {
            lock (clock._timers)
            {
                Due = null;
                clock._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
