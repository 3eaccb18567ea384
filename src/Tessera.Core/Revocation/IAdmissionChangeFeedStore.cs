using Tessera.Core.Users;

namespace Tessera.Core.Revocation;

/// <summary>
/// The read side of the admission changes: what an instance's memory is loaded from (every user,
/// every revoked login) and the feed of committed <see cref="AdmissionChange"/>s it follows after.
/// Read only; the writes that append to the feed are <see cref="IUserChangeStore"/>'s and
/// <see cref="IRefreshTokenLedger"/>'s. Not <see cref="IRevocationFeed"/>, the hosted service that
/// reads this on demand.
/// </summary>
public interface IAdmissionChangeFeedStore
{
    /// <summary>The current snapshot of one user, or null when it no longer exists.</summary>
    Task<UserSnapshot?> LoadUserAsync(long userId, CancellationToken cancellationToken = default);

    /// <summary>
    /// All that the memory of an instance needs: every user, every unexpired revoked login, the newest
    /// event id, and which of the <see cref="RevocationSnapshot.RecentIdSpan"/> ids below it exist.
    /// </summary>
    Task<RevocationSnapshot> LoadAsync(DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="max"/> events after <paramref name="afterId"/>, in order.</summary>
    Task<IReadOnlyList<AdmissionChange>> ReadEventsAsync(long afterId, int max, CancellationToken cancellationToken = default);

    /// <summary>The events among <paramref name="ids"/> that exist (committed) now, in order.</summary>
    Task<IReadOnlyList<AdmissionChange>> ReadEventsAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken = default);
}

/// <param name="LastEventId">The newest event id when the load began (0 for none).</param>
/// <param name="RecentEventIds">
/// The ids that exist among the <see cref="RecentIdSpan"/> just below and at <paramref name="LastEventId"/>:
/// the others may belong to transactions still open, which the feed then watches for.
/// </param>
public sealed record RevocationSnapshot(long LastEventId, IReadOnlyList<UserSnapshot> Users, IReadOnlyList<(LoginId Login, long ExpiresAt)> RevokedLogins,
    IReadOnlyCollection<long>? RecentEventIds = null)
{
    /// <summary>How many ids below the newest a load looks at for ones not committed yet.</summary>
    public const int RecentIdSpan = 1000;
}
