namespace Tessera.Core.Users;

/// <summary>Reads and writes user accounts. Implemented over EF Core in Tessera.Data.</summary>
public interface IUserStore
{
    Task<User?> FindByIdAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>Exact, case-sensitive match, as Django's <c>get_by_natural_key</c>.</summary>
    Task<User?> FindByUsernameAsync(string username, CancellationToken cancellationToken = default);

    Task SetPasswordHashAsync(long userId, string passwordHash, CancellationToken cancellationToken = default);

    /// <summary>Sets the fields that are not null, leaves the others.</summary>
    Task UpdateProfileAsync(long userId, string? email, string? firstName, string? lastName, CancellationToken cancellationToken = default);

    Task SetLastLoginAsync(long userId, DateTime lastLoginUtc, CancellationToken cancellationToken = default);
}
