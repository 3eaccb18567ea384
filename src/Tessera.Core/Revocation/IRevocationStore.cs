using Tessera.Core.Users;

namespace Tessera.Core.Revocation;

/// <summary>
/// The durable side of revocation. Every write commits the change together with its event, before
/// any instance's memory hears of it, so a crash after the response never loses a revocation; and
/// every write that decides something (who rotated first, whose password change won) decides it in
/// the database, in the same transaction, so no crash and no race can leave half of it done.
/// </summary>
public interface IRevocationStore
{
    /// <summary>
    /// Logs the user out everywhere: the revocation epoch moves on (every credential checked against
    /// an earlier one is refused), foreign tokens issued before <paramref name="revokedBeforeMs"/> are
    /// refused, and the user's sessions and DRF tokens are deleted. API keys (service credentials) stay.
    /// </summary>
    Task<AdmissionChange> RevokeAllAsync(long userId, long revokedBeforeMs, CancellationToken cancellationToken = default);

    /// <summary>
    /// A password change as one compare-and-swap: the new hash is written, and every login revoked as
    /// by <see cref="RevokeAllAsync"/>, only while the user's epoch is still
    /// <paramref name="expectedEpoch"/>, the one the old password's check read. Null when another
    /// change (password, revoke-all, deactivation) committed first: nothing is written.
    /// </summary>
    Task<AdmissionChange?> ChangePasswordAsync(long userId, long expectedEpoch, string newPasswordHash, long revokedBeforeMs, CancellationToken cancellationToken = default);

    /// <summary>
    /// Inserts a new user together with its event, so that no instance can miss a user the database
    /// has; null when the username is taken (decided by the unique index). Sets the user's id.
    /// </summary>
    Task<AdmissionChange?> CreateUserAsync(User user, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sets the flags that are not null, in one statement, together with their event; deactivation
    /// also moves the revocation epoch on and refuses foreign tokens issued before
    /// <paramref name="revokedBeforeMs"/>, so that logins made before it stay refused after a
    /// reactivation. Deactivation also deletes the user's API keys and revokes their logins (they
    /// carry no epoch, and would otherwise work again after a reactivation). The events, the
    /// user's <see cref="AdmissionChangeKind.UserChanged"/> last; none when there is no such user.
    /// </summary>
    Task<IReadOnlyList<AdmissionChange>> SetUserFlagsAsync(long userId, UserFlags flags, long revokedBeforeMs, CancellationToken cancellationToken = default);

    /// <summary>
    /// Changes the user's row (profile fields, the app's own fields and roles) as <paramref name="change"/>
    /// says, together with the event, in one transaction, so that every instance's snapshot follows;
    /// a change that answers false (invalid input) writes nothing. Not for what the revocation epoch
    /// guards (password, activation): those have their own writes. Null when nothing was written.
    /// </summary>
    Task<AdmissionChange?> UpdateUserAsync(long userId, Func<User, Task<bool>> change, CancellationToken cancellationToken = default);

    /// <summary>
    /// Marks the user's email verified, together with the event, only while it is still
    /// <paramref name="expectedEmail"/> and unverified: a compare-and-swap, so of concurrent uses of
    /// one verification token exactly one succeeds, and none after the email changed. Clears
    /// <see cref="Users.User.EmailChangeUnverified"/> in the same write. Null when nothing was written.
    /// </summary>
    Task<AdmissionChange?> MarkEmailVerifiedAsync(long userId, string expectedEmail, CancellationToken cancellationToken = default);

    /// <summary>Deletes the user (and, by cascade, what is theirs) together with the event.</summary>
    Task<AdmissionChange> DeleteUserAsync(long userId, CancellationToken cancellationToken = default);

    /// <summary>Records that a user's row changed (created, activated, roles), so every instance reloads it.</summary>
    Task<AdmissionChange> UserChangedAsync(long userId, CancellationToken cancellationToken = default);
}

/// <summary>Activation and roles to set; null leaves a flag as it is.</summary>
public sealed record UserFlags(bool? IsActive = null, bool? IsStaff = null, bool? IsSuperuser = null);

/// <summary>A refresh token being rotated or blacklisted, and what revoking its login takes.</summary>
/// <param name="Jti">The token's <c>jti</c>, the blacklist's key.</param>
/// <param name="TokenExpiresAt">The token's <c>exp</c>: the blacklist row is kept until then.</param>
/// <param name="Login">Its login, when it names one (Tessera's tokens do, foreign ones do not).</param>
/// <param name="LoginExpiresAt">How long a revocation of that login must last: past every token it may have minted.</param>
/// <param name="Now">The time of the rotation, recorded to the millisecond for the reuse grace.</param>
/// <param name="ReuseGrace">How long after a rotation a second presentation is still a race, not theft.</param>
public sealed record RefreshRotation(
    string Jti,
    long? UserId,
    DateTimeOffset TokenExpiresAt,
    LoginId? Login,
    DateTimeOffset LoginExpiresAt,
    DateTimeOffset Now,
    TimeSpan ReuseGrace = default);

public enum RotationOutcome
{
    /// <summary>This caller rotated the token first: it gets the new pair.</summary>
    Rotated,

    /// <summary>Rotated by someone else less than the reuse grace ago (two tabs): refused, nothing else happens.</summary>
    ReusedWithinGrace,

    /// <summary>Rotated longer ago: reuse detection, the token's login was revoked in the same transaction.</summary>
    Reused,
}
