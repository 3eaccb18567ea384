namespace Tessera.Core.Throttling;

/// <summary>
/// Per key (a username's or an address's), two counts: the failed logins of a fixed window, and the
/// attempts in flight (admitted, their password still being checked), each holding a slot that
/// expires by itself, so that slots an instance took before it crashed do not hold the key for
/// ever. As with <see cref="IRateLimitStore"/>, there must be one such place per deployment. Every
/// operation is atomic for its key.
/// </summary>
public interface ILoginAttemptStore
{
    /// <summary>
    /// Drops the key's slots whose lifetime has passed, and counts its failures from zero if their
    /// window has passed. Then: with <paramref name="limit"/> failures or more, refuses; with the
    /// failures and the attempts in flight together at <paramref name="limit"/> or more, answers busy;
    /// otherwise takes a slot for this attempt, which expires after <paramref name="slotLifetime"/>.
    /// </summary>
    ValueTask<LoginAttemptAdmission> TryBeginAsync(string key, int limit, TimeSpan slotLifetime, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gives back <paramref name="slot"/> (nothing if it has expired), and, as <paramref name="end"/>
    /// says, counts a failure (opening a window ending now + <paramref name="window"/> if the key
    /// has none) or forgets the key's failures. A key with nothing left may be forgotten.
    /// </summary>
    ValueTask EndAsync(string key, string slot, LoginAttemptEnd end, TimeSpan window, CancellationToken cancellationToken = default);
}

/// <summary>What <see cref="ILoginAttemptStore.TryBeginAsync"/> decided.</summary>
public enum LoginAttemptOutcome
{
    /// <summary>A slot was taken: the attempt may go ahead.</summary>
    Admitted,

    /// <summary>The failures are below the limit, but with the attempts in flight they fill it: nothing was taken.</summary>
    Busy,

    /// <summary>The failures alone are at the limit: nothing was taken.</summary>
    Refused,
}

/// <summary>How an attempt ended, for <see cref="ILoginAttemptStore.EndAsync"/>; its slot is given back each time.</summary>
public enum LoginAttemptEnd
{
    /// <summary>Nothing is counted (the password was not checked, or a success on a key that keeps its failures).</summary>
    Release,

    /// <summary>One failure is counted.</summary>
    CountFailure,

    /// <summary>The key's failures are forgotten (the password was right); other attempts in flight keep their slots.</summary>
    ClearFailures,
}

/// <summary>The answer of <see cref="ILoginAttemptStore.TryBeginAsync"/>.</summary>
/// <param name="Outcome">Admitted (with <paramref name="Slot"/>), busy or refused.</param>
/// <param name="Failures">The failures in the key's current window, before this attempt.</param>
/// <param name="InFlight">The attempts in flight on the key, before this attempt.</param>
/// <param name="WindowEnd">When the key's failures are forgotten (meaningless while it has none).</param>
/// <param name="Slot">The slot to give back with <see cref="ILoginAttemptStore.EndAsync"/>; null unless admitted.</param>
public readonly record struct LoginAttemptAdmission(LoginAttemptOutcome Outcome, int Failures, int InFlight, DateTimeOffset WindowEnd, string? Slot);
