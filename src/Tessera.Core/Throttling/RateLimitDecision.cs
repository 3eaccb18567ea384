namespace Tessera.Core.Throttling;

/// <summary>The answer of <see cref="IRateLimitStore.AcquireAsync"/>: whether the request passes, and if not, when the next one will.</summary>
/// <param name="Allowed">True when one request was taken from the key's allowance.</param>
/// <param name="RetryAfter">When refused, the time until the next request would be allowed; zero when allowed.</param>
public readonly record struct RateLimitDecision(bool Allowed, TimeSpan RetryAfter)
{
    public static RateLimitDecision Allow => new(true, TimeSpan.Zero);

    public static RateLimitDecision Refuse(TimeSpan retryAfter) => new(false, retryAfter);

    /// <summary><see cref="RetryAfter"/> in whole seconds, rounded up, at least 1 (DRF's <c>math.ceil(wait)</c>).</summary>
    public int RetryAfterSeconds => ThrottleMessages.ToSeconds(RetryAfter);
}
