namespace Tessera.Core.Revocation;

/// <summary>
/// A table whose rows die with what they describe (blacklist rows, sessions, expiring tokens and
/// keys). The sweeper deletes them, so storage never grows with history.
/// </summary>
public interface IExpiringRecords
{
    /// <summary>What the rows are, for the sweeper's report ("blacklist entries", "sessions").</summary>
    string Description { get; }

    /// <summary>Deletes the rows that expired at or before <paramref name="now"/>; returns how many.</summary>
    Task<int> RemoveExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default);
}
