namespace Tessera.Core.Throttling;

/// <summary>
/// Counts login attempts per key in fixed windows. As with <see cref="IRateLimitStore"/>, there
/// must be one such place per deployment. Every operation is atomic for its key.
/// </summary>
public interface ILoginAttemptStore
{
    /// <summary>
    /// If the key's window has passed (or it has none), opens a new one ending at now + <paramref name="window"/>
    /// with a count of zero. Then, if the count is below <paramref name="limit"/>, adds one and admits;
    /// otherwise refuses and adds nothing.
    /// </summary>
    ValueTask<LoginAttemptCount> TryCountAsync(string key, int limit, TimeSpan window, CancellationToken cancellationToken = default);

    /// <summary>Takes one back from the key's count (never below zero); a key left at zero may be forgotten.</summary>
    ValueTask UncountAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Forgets the key.</summary>
    ValueTask ResetAsync(string key, CancellationToken cancellationToken = default);
}

/// <summary>The answer of <see cref="ILoginAttemptStore.TryCountAsync"/>.</summary>
/// <param name="Admitted">True when the attempt was counted; false when the key is at its limit.</param>
/// <param name="PriorCount">The count before this attempt.</param>
/// <param name="WindowEnd">When the key's window passes and its count starts again from zero.</param>
public readonly record struct LoginAttemptCount(bool Admitted, int PriorCount, DateTimeOffset WindowEnd);
