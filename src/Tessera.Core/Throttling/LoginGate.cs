namespace Tessera.Core.Throttling;

/// <summary>
/// The answer of <see cref="LoginAttemptLimiter.CheckAsync"/> for one login attempt: refused (answer
/// 429 with <see cref="RetryAfter"/>), or admitted after waiting <see cref="Delay"/>. An admitted
/// attempt holds a place among the attempts in flight until its outcome is reported, exactly once:
/// <see cref="LoginAttemptLimiter.RecordSuccessAsync"/>, <see cref="LoginAttemptLimiter.RecordFailureAsync"/>,
/// or <see cref="LoginAttemptLimiter.AbandonAsync"/> for an attempt that never checked the password.
/// (Unreported, the place is given back when it expires, and nothing is counted.)
/// </summary>
public sealed class LoginGate
{
    internal static readonly LoginGate Unprotected = new(false, false, TimeSpan.Zero, TimeSpan.Zero, null, null, null, null);

    internal LoginGate(bool isRefused, bool isBusy, TimeSpan retryAfter, TimeSpan delay,
        string? usernameKey, string? usernameSlot, string? addressKey, string? addressSlot)
    {
        IsRefused = isRefused;
        IsBusy = isBusy;
        RetryAfter = retryAfter;
        Delay = delay;
        UsernameKey = usernameKey;
        UsernameSlot = usernameSlot;
        AddressKey = addressKey;
        AddressSlot = addressSlot;
    }

    /// <summary>True when the attempt must not be made (too many failures on the username or the address, or <see cref="IsBusy"/>).</summary>
    public bool IsRefused { get; }

    /// <summary>
    /// Refused only because attempts still in flight on the username or the address kept filling its
    /// limit for <see cref="LoginProtectionOptions.InFlightWait"/>: they are not failures, so
    /// <see cref="RetryAfter"/> is one second, not the window.
    /// </summary>
    public bool IsBusy { get; }

    /// <summary>When refused, the time until the window that refused it passes (one second when <see cref="IsBusy"/>).</summary>
    public TimeSpan RetryAfter { get; }

    /// <summary>When admitted, how long to wait (asynchronously) before checking the password.</summary>
    public TimeSpan Delay { get; }

    /// <summary><see cref="RetryAfter"/> in whole seconds, rounded up, at least 1.</summary>
    public int RetryAfterSeconds => ThrottleMessages.ToSeconds(RetryAfter);

    internal string? UsernameKey { get; }

    internal string? UsernameSlot { get; }

    internal string? AddressKey { get; }

    internal string? AddressSlot { get; }

    /// <summary>Set once the outcome is reported, so a second report changes nothing.</summary>
    internal int Completed;
}
