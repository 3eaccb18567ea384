using Tessera.Core.Users;

namespace Tessera.Core.ExternalLogin;

/// <summary>The linked provider accounts (<see cref="ExternalIdentity"/>): persistence only; <see cref="ExternalAccounts"/> decides.</summary>
public interface IExternalIdentityStore
{
    /// <summary>The identity with this issuer and subject (exact, case-sensitive), or null.</summary>
    Task<ExternalIdentity?> FindAsync(string issuer, string subject, CancellationToken cancellationToken = default);

    /// <summary>The user's identities, oldest first.</summary>
    Task<IReadOnlyList<ExternalIdentity>> ListAsync(long userId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Links the identity (and sets its id); false, nothing written, when its (issuer, subject) is
    /// linked already or its user has an identity of that provider: decided by the store (unique
    /// indexes), so of concurrent links at most one wins, on any instance.
    /// </summary>
    Task<bool> AddAsync(ExternalIdentity identity, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes the user's identity of <paramref name="provider"/> if <paramref name="mayRemove"/>, asked
    /// with the user's row and all of their identities as read now, says so. Serialized per user (the
    /// user's row is written first, inside the transaction), so that two concurrent removals of an
    /// account's last two ways in cannot both pass the check.
    /// </summary>
    Task<ExternalIdentityRemoval> RemoveAsync(long userId, string provider,
        Func<User, IReadOnlyList<ExternalIdentity>, bool> mayRemove, CancellationToken cancellationToken = default);
}

/// <summary>What <see cref="IExternalIdentityStore.RemoveAsync"/> did.</summary>
public enum ExternalIdentityRemoval
{
    Removed,

    /// <summary>The user has no identity of that provider (or there is no such user).</summary>
    NotLinked,

    /// <summary>The check said no: nothing removed.</summary>
    Refused,
}

/// <summary>What <see cref="Revocation.AdmissionChanges.CreateUserAsync(Users.User, ExternalIdentity, CancellationToken)"/> did.</summary>
internal enum ExternalUserCreation
{
    /// <summary>The user and its identity were committed.</summary>
    Created,

    /// <summary>The username is taken: nothing written; try another.</summary>
    UsernameTaken,

    /// <summary>The identity was linked meanwhile (a concurrent first sign-in): nothing written; sign in to its user.</summary>
    IdentityTaken,
}
