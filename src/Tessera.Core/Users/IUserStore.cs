namespace Tessera.Core.Users;

/// <summary>Reads and writes user accounts. Implemented over EF Core in Tessera.EntityFrameworkCore.</summary>
public interface IUserStore
{
    /// <summary>A new, unsaved user of the app's user type (<c>TesseraDbContext&lt;TUser&gt;</c>).</summary>
    User NewUser();

    Task<User?> FindByIdAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Case-sensitive match, as Django's <c>get_by_natural_key</c>, of the NFKC form of
    /// <paramref name="username"/> (<see cref="UserNormalization.Username"/>): stored names are in it.
    /// </summary>
    Task<User?> FindByUsernameAsync(string username, CancellationToken cancellationToken = default);

    /// <summary>
    /// The accounts whose email is <paramref name="email"/>, compared case-insensitively as Django's
    /// password reset compares it (<c>email__iexact</c>): emails are not unique, so there may be several.
    /// </summary>
    Task<IReadOnlyList<User>> FindByEmailAsync(string email, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the hash with a stronger one of the same password (an upgrade at login), only while the
    /// stored hash is still <paramref name="verifiedHash"/>: never over a password changed meanwhile.
    /// </summary>
    Task UpgradePasswordHashAsync(long userId, string verifiedHash, string upgradedHash, CancellationToken cancellationToken = default);

    /// <summary>
    /// Django's <c>update_last_login</c> as the last step of a password login: written only while the
    /// user's revocation epoch is still <paramref name="epoch"/>, the one the password check read.
    /// False when a password change, revoke-all or deactivation committed since: refuse the login.
    /// </summary>
    Task<bool> SetLastLoginAsync(long userId, long epoch, DateTime lastLoginUtc, CancellationToken cancellationToken = default);
}
