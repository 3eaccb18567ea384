using Microsoft.EntityFrameworkCore;
using Tessera.Core.Users;
using Tessera.EntityFrameworkCore.Modeling;

namespace Tessera.EntityFrameworkCore.Users;

internal sealed class EfUserStore(TesseraDbContext db) : IUserStore
{
    public User NewUser() => db.NewUser();

    public Task<User?> FindByIdAsync(long id, CancellationToken cancellationToken = default)
        => db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, cancellationToken);

    public Task<User?> FindByUsernameAsync(string username, CancellationToken cancellationToken = default)
    {
        username = UserNormalization.Username(username);
        return db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Username == username, cancellationToken);
    }

    public async Task<IReadOnlyList<User>> FindByEmailAsync(string email, CancellationToken cancellationToken = default)
        // lower() on both sides, in SQL: the database folds the address as it folds the column (SQLite
        // ASCII only, so the caller compares the rest), and the comparison is EmailLookupIndex's expression.
        => await db.Users.AsNoTracking().Where(u => SqlFunctions.Lower(u.Email) == SqlFunctions.Lower(email))
            .OrderBy(u => u.Id).Take(MaxAccountsPerEmail)
            .ToListAsync(cancellationToken).ConfigureAwait(false);

    // Emails are not unique; past this many accounts on one address, mail goes to the oldest only.
    private const int MaxAccountsPerEmail = 20;

    public Task UpgradePasswordHashAsync(long userId, string verifiedHash, string upgradedHash, CancellationToken cancellationToken = default)
        => db.Users.Where(u => u.Id == userId && u.PasswordHash == verifiedHash)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.PasswordHash, upgradedHash), cancellationToken);

    public async Task<bool> SetLastLoginAsync(long userId, long epoch, DateTime lastLoginUtc, CancellationToken cancellationToken = default)
        => await db.Users.Where(u => u.Id == userId && u.RevocationEpoch == epoch)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.LastLogin, lastLoginUtc), cancellationToken).ConfigureAwait(false) == 1;
}
