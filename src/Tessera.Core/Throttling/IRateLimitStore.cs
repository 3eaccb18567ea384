namespace Tessera.Core.Throttling;

/// <summary>
/// Where request allowances are counted. There must be ONE such place per deployment (the in-memory
/// store for a single instance, a shared store such as Redis for several), otherwise limits leak
/// across workers as DRF's per-process cache does.
/// </summary>
public interface IRateLimitStore
{
    /// <summary>
    /// Atomically takes one request from <paramref name="key"/>'s allowance under <paramref name="limit"/>
    /// (GCRA, burst = <see cref="RateLimit.Requests"/>, see <see cref="Gcra"/>). A refused request takes nothing.
    /// </summary>
    ValueTask<RateLimitDecision> AcquireAsync(string key, RateLimit limit, CancellationToken cancellationToken = default);
}
