namespace Tessera.Core.Revocation;

/// <summary>This instance's reading of the revocation feed (the database's events), on demand.</summary>
public interface IRevocationFeed
{
    /// <summary>
    /// Applies what the database has that memory has not, now: for a valid credential naming a user
    /// this instance does not know yet (made a moment ago elsewhere). Concurrent callers share a read.
    /// </summary>
    Task CatchUpNowAsync(CancellationToken cancellationToken = default);
}
