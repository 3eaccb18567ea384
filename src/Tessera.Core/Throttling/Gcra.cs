namespace Tessera.Core.Throttling;

/// <summary>
/// The generic cell rate algorithm, one timestamp per key: the theoretical arrival time (TAT) of the
/// next request at the sustained rate. With emission interval T = period / N and burst N, a request
/// at time t passes when max(TAT, t) + T - t &lt;= N·T, and then TAT becomes max(TAT, t) + T. So N
/// requests pass at once, the allowance refills one request per T, and a key whose TAT &lt;= now is
/// at full allowance (its state can be forgotten). All values are UTC ticks; a shared store (Redis)
/// runs the same arithmetic in one atomic script.
/// </summary>
internal static class Gcra
{
    /// <summary>Decides one request at <paramref name="now"/> for a key whose stored TAT is <paramref name="tat"/>.</summary>
    /// <returns>The decision, and the TAT to store when allowed (unchanged when refused).</returns>
    public static (RateLimitDecision Decision, long NewTat) Evaluate(long tat, long now, RateLimit limit)
    {
        ArgumentNullException.ThrowIfNull(limit);
        var interval = limit.Period.Ticks / limit.Requests;
        var burst = interval * limit.Requests;
        var start = Math.Max(tat, now);
        var newTat = start + interval;
        var ahead = newTat - now;
        return ahead <= burst
            ? (RateLimitDecision.Allow, newTat)
            : (RateLimitDecision.Refuse(TimeSpan.FromTicks(ahead - burst)), tat);
    }
}
