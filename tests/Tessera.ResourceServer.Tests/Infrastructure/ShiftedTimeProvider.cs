namespace Tessera.ResourceServer.Tests.Infrastructure;

/// <summary>
/// The system clock plus an offset a test moves forward, so that "31 seconds later" needs no
/// sleeping. Timers still run on real time, so the library's loops keep turning.
/// </summary>
public sealed class ShiftedTimeProvider : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}
