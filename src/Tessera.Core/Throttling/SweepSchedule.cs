namespace Tessera.Core.Throttling;

/// <summary>
/// Runs a clean-up of an in-memory store at most once per interval, on whichever call finds it due,
/// never two at once and never blocking a caller that is not the one sweeping.
/// </summary>
internal sealed class SweepSchedule
{
    private readonly long _intervalTicks;
    private long _next;
    private int _sweeping;

    public SweepSchedule(TimeSpan interval, long nowTicks)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.Zero);
        Interval = interval;
        _intervalTicks = interval.Ticks;
        _next = nowTicks + _intervalTicks;
    }

    public TimeSpan Interval { get; }

    public void RunIfDue(long nowTicks, Func<long, int> sweep)
    {
        if (nowTicks < Volatile.Read(ref _next) || Interlocked.CompareExchange(ref _sweeping, 1, 0) != 0)
            return;
        try
        {
            if (nowTicks >= _next)
            {
                _ = sweep(nowTicks); // how many went is for callers that sweep by hand
                Volatile.Write(ref _next, nowTicks + _intervalTicks);
            }
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }
}
