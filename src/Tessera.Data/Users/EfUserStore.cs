using Microsoft.EntityFrameworkCore;
using Tessera.Core.Users;

namespace Tessera.Data.Users;

public sealed class EfUserStore(TesseraDbContext db) : IUserStore
{
    public Task<User?> FindByIdAsync(long id, CancellationToken cancellationToken = default)
        => db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, cancellationToken);

    public Task<User?> FindByUsernameAsync(string username, CancellationToken cancellationToken = default)
        => db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Username == username, cancellationToken);

    public Task SetPasswordHashAsync(long userId, string passwordHash, CancellationToken cancellationToken = default)
        => db.Users.Where(u => u.Id == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.PasswordHash, passwordHash), cancellationToken);

    public Task UpdateProfileAsync(long userId, string? email, string? firstName, string? lastName, CancellationToken cancellationToken = default)
        => db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s
            .SetProperty(u => u.Email, u => email ?? u.Email)
            .SetProperty(u => u.FirstName, u => firstName ?? u.FirstName)
            .SetProperty(u => u.LastName, u => lastName ?? u.LastName), cancellationToken);

    public Task SetLastLoginAsync(long userId, DateTime lastLoginUtc, CancellationToken cancellationToken = default)
        => db.Users.Where(u => u.Id == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.LastLogin, lastLoginUtc), cancellationToken);
}
