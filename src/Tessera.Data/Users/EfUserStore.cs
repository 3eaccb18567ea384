using Microsoft.EntityFrameworkCore;
using Tessera.Core.Users;

namespace Tessera.Data.Users;

public sealed class EfUserStore(TesseraDbContext db) : IUserStore
{
    public User NewUser() => db.NewUser();

    public Task<User?> FindByIdAsync(long id, CancellationToken cancellationToken = default)
        => db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, cancellationToken);

    public Task<User?> FindByUsernameAsync(string username, CancellationToken cancellationToken = default)
    {
        username = UserNormalization.Username(username);
        return db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Username == username, cancellationToken);
    }

    public Task UpgradePasswordHashAsync(long userId, string verifiedHash, string upgradedHash, CancellationToken cancellationToken = default)
        => db.Users.Where(u => u.Id == userId && u.PasswordHash == verifiedHash)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.PasswordHash, upgradedHash), cancellationToken);

    public async Task<bool> SetLastLoginAsync(long userId, long epoch, DateTime lastLoginUtc, CancellationToken cancellationToken = default)
        => await db.Users.Where(u => u.Id == userId && u.RevocationEpoch == epoch)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.LastLogin, lastLoginUtc), cancellationToken).ConfigureAwait(false) == 1;
}
