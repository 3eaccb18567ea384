namespace Tessera.Core.Throttling;

/// <summary>
/// The answer of <see cref="LoginAttemptLimiter.CheckAsync"/> for one login attempt: refused (answer
/// 429 with <see cref="RetryAfter"/>), or admitted after waiting <see cref="Delay"/>. An admitted
/// attempt is already counted as a failure; report a success with
/// <see cref="LoginAttemptLimiter.RecordSuccessAsync"/>, or an attempt that never checked the
/// password with <see cref="LoginAttemptLimiter.AbandonAsync"/>.
/// </summary>
public sealed class LoginGate
{
    internal static readonly LoginGate Unprotected = new(false, TimeSpan.Zero, TimeSpan.Zero, null, null);

    internal LoginGate(bool isRefused, TimeSpan retryAfter, TimeSpan delay, string? usernameKey, string? addressKey)
    {
        IsRefused = isRefused;
        RetryAfter = retryAfter;
        Delay = delay;
        UsernameKey = usernameKey;
        AddressKey = addressKey;
    }

    /// <summary>True when the attempt must not be made (too many failures on the username or the address).</summary>
    public bool IsRefused { get; }

    /// <summary>When refused, the time until the window that refused it passes.</summary>
    public TimeSpan RetryAfter { get; }

    /// <summary>When admitted, how long to wait (asynchronously) before checking the password.</summary>
    public TimeSpan Delay { get; }

    /// <summary><see cref="RetryAfter"/> in whole seconds, rounded up, at least 1.</summary>
    public int RetryAfterSeconds => ThrottleMessages.ToSeconds(RetryAfter);

    internal string? UsernameKey { get; }

    internal string? AddressKey { get; }

    /// <summary>Set once the outcome is reported, so a second report changes nothing.</summary>
    internal int Completed;
}
