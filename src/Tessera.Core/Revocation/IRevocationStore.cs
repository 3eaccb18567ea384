using Tessera.Core.Users;

namespace Tessera.Core.Revocation;

/// <summary>
/// The durable side of revocation. Every write commits the change together with its event, before
/// any instance's memory hears of it, so a crash after the response never loses a revocation.
/// </summary>
public interface IRevocationStore
{
    /// <summary>Revokes one login until <paramref name="expiresAt"/>; returns the committed event.</summary>
    Task<RevocationEvent> RevokeLoginAsync(LoginId login, long userId, DateTimeOffset expiresAt, CancellationToken cancellationToken = default);

    /// <summary>
    /// Logs the user out everywhere: logins made before <paramref name="revokedBeforeMs"/> are refused,
    /// and the user's sessions and DRF tokens are deleted. API keys (service credentials) stay.
    /// With <paramref name="newPasswordHash"/>, the password changes in the same transaction.
    /// </summary>
    Task<RevocationEvent> RevokeAllAsync(long userId, long revokedBeforeMs, string? newPasswordHash = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Inserts a new user together with its event, so that no instance can miss a user the database
    /// has; null when the username is taken (decided by the unique index). Sets the user's id.
    /// </summary>
    Task<RevocationEvent?> CreateUserAsync(User user, CancellationToken cancellationToken = default);

    /// <summary>Sets activation and roles together with their event.</summary>
    Task<RevocationEvent> SetUserFlagsAsync(long userId, bool isActive, bool isStaff, bool isSuperuser, bool isPremium, CancellationToken cancellationToken = default);

    /// <summary>Deletes the user (and, by cascade, what is theirs) together with the event.</summary>
    Task<RevocationEvent> DeleteUserAsync(long userId, CancellationToken cancellationToken = default);

    /// <summary>Records that a user's row changed (created, activated, roles), so every instance reloads it.</summary>
    Task<RevocationEvent> UserChangedAsync(long userId, CancellationToken cancellationToken = default);

    /// <summary>The current snapshot of one user, or null when it no longer exists.</summary>
    Task<UserSnapshot?> LoadUserAsync(long userId, CancellationToken cancellationToken = default);

    /// <summary>All that the memory of an instance needs: every user, every unexpired revoked login, and the newest event id.</summary>
    Task<RevocationSnapshot> LoadAsync(DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="max"/> events after <paramref name="afterId"/>, in order.</summary>
    Task<IReadOnlyList<RevocationEvent>> ReadEventsAsync(long afterId, int max, CancellationToken cancellationToken = default);
}

public sealed record RevocationSnapshot(long LastEventId, IReadOnlyList<UserSnapshot> Users, IReadOnlyList<(LoginId Login, long ExpiresAt)> RevokedLogins);
