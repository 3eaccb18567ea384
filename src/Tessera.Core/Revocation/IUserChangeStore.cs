using Tessera.Core.Credentials;
using Tessera.Core.Users;

namespace Tessera.Core.Revocation;

/// <summary>
/// The user writes of the admission model: persistence only. It offers primitive writes inside one
/// transaction (<see cref="BeginAsync"/>) and reports what they matched; <see cref="AdmissionChanges"/>
/// decides what a revoke-all, a password change or a deactivation writes (what is purged, what the
/// epoch does, how names are normalised), so a second store gets those rules from Core. The change
/// and its <see cref="AdmissionChange"/> commit together, before any instance's memory hears of it:
/// no crash and no race leaves half of a change.
/// </summary>
public interface IUserChangeStore
{
    /// <summary>A transaction over users, their credentials and the change feed; rolled back unless committed.</summary>
    Task<IUserChangeTransaction> BeginAsync(CancellationToken cancellationToken = default);
}

/// <summary>One unit of work on the user writes: each call writes, nothing is visible until <see cref="CommitAsync"/>.</summary>
public interface IUserChangeTransaction : IAsyncDisposable
{
    /// <summary>
    /// Moves the user's revocation epoch on by one and sets their revoked-before instant (unix
    /// milliseconds). With <paramref name="expectedEpoch"/>, a compare-and-swap: only while the epoch is
    /// still that one, so of concurrent changes from one reading exactly one matches (decided by the
    /// store, e.g. by the row's lock). False when no row matched (no such user, or the epoch moved).
    /// </summary>
    Task<bool> AdvanceEpochAsync(long userId, long? expectedEpoch, long revokedBeforeMs, CancellationToken cancellationToken = default);

    /// <summary>Sets the user's password hash.</summary>
    Task SetPasswordHashAsync(long userId, string passwordHash, CancellationToken cancellationToken = default);

    /// <summary>Sets the flags that are not null; false when there is no such user.</summary>
    Task<bool> SetFlagsAsync(long userId, UserFlags flags, CancellationToken cancellationToken = default);

    /// <summary>Inserts the user as given and sets its id; false when the username is taken (decided by the store, e.g. a unique index).</summary>
    Task<bool> InsertUserAsync(User user, CancellationToken cancellationToken = default);

    /// <summary>
    /// Inserts a user's first linked provider account, in the transaction that inserted the user (an
    /// external sign-in's new account and its identity commit together) and sets its id; false when
    /// its (issuer, subject) is linked already (decided by the store, e.g. a unique index): a
    /// concurrent first sign-in of the same account won. A store without external identities keeps
    /// this default, which refuses.
    /// </summary>
    Task<bool> InsertExternalIdentityAsync(ExternalLogin.ExternalIdentity identity, CancellationToken cancellationToken = default)
        => throw new NotSupportedException($"{GetType().Name} does not store external identities.");

    /// <summary>
    /// Changes the user's row as <paramref name="change"/> says; false (nothing written) when there is
    /// no such user or the change answers false.
    /// </summary>
    Task<bool> UpdateUserAsync(long userId, Func<User, Task<bool>> change, CancellationToken cancellationToken = default);

    /// <summary>
    /// Marks the email verified (and clears <see cref="User.EmailChangeUnverified"/>) only while it is
    /// still <paramref name="expectedEmail"/> and unverified: a compare-and-swap, false when it matched nothing.
    /// </summary>
    Task<bool> MarkEmailVerifiedAsync(long userId, string expectedEmail, CancellationToken cancellationToken = default);

    /// <summary>Deletes the user and what is theirs.</summary>
    Task DeleteUserAsync(long userId, CancellationToken cancellationToken = default);

    /// <summary>Deletes the user's sessions; how many.</summary>
    Task<int> DeleteSessionsAsync(long userId, CancellationToken cancellationToken = default);

    /// <summary>Deletes the user's DRF tokens; how many.</summary>
    Task<int> DeleteOpaqueTokensAsync(long userId, CancellationToken cancellationToken = default);

    /// <summary>Deletes the user's API keys; the ones deleted (each exactly once among concurrent callers).</summary>
    Task<IReadOnlyList<IStoredCredential>> DeleteApiKeysAsync(long userId, CancellationToken cancellationToken = default);

    /// <summary>Revokes the login until <paramref name="expiresAt"/> (a second revocation keeps the later expiry) and appends its change.</summary>
    Task<AdmissionChange> RevokeLoginAsync(LoginId login, long userId, DateTimeOffset expiresAt, CancellationToken cancellationToken = default);

    /// <summary>Appends a <see cref="AdmissionChangeKind.UserChanged"/>: every instance reloads the user.</summary>
    Task<AdmissionChange> AppendUserChangedAsync(long userId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends an audit event to the change, committed or rolled back with it. A store without an audit
    /// trail keeps this default, which records nothing.
    /// </summary>
    Task AppendAuditAsync(Audit.AuditEvent e, CancellationToken cancellationToken = default) => Task.CompletedTask;

    Task CommitAsync(CancellationToken cancellationToken = default);
}

/// <summary>Activation and roles to set; null leaves a flag as it is.</summary>
public sealed record UserFlags(bool? IsActive = null, bool? IsStaff = null, bool? IsSuperuser = null);
