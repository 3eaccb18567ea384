namespace Tessera.Server.Tests.Infrastructure;

/// <summary>
/// The system clock plus an offset a test moves forward, so that "ten seconds later" or "a week
/// later" needs no sleeping. Timers still run on real time, so the server's loops keep turning.
/// </summary>
public sealed class ShiftedTimeProvider : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}
