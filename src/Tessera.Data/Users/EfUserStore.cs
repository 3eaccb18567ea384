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

    public async Task<IReadOnlyList<User>> FindByEmailAsync(string email, CancellationToken cancellationToken = default)
    {
        // lower() on both sides: every provider translates ToLower. SQLite's folds ASCII only, so the
        // address as given is matched exactly too (the caller compares the rest case-insensitively).
        var lowered = email.ToLowerInvariant();
        return await db.Users.AsNoTracking().Where(u => u.Email == email || u.Email.ToLower() == lowered).Take(MaxAccountsPerEmail)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    // Emails are not unique; past this many accounts on one address, mail goes to the first only.
    private const int MaxAccountsPerEmail = 20;

    public Task UpgradePasswordHashAsync(long userId, string verifiedHash, string upgradedHash, CancellationToken cancellationToken = default)
        => db.Users.Where(u => u.Id == userId && u.PasswordHash == verifiedHash)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.PasswordHash, upgradedHash), cancellationToken);

    public async Task<bool> SetLastLoginAsync(long userId, long epoch, DateTime lastLoginUtc, CancellationToken cancellationToken = default)
        => await db.Users.Where(u => u.Id == userId && u.RevocationEpoch == epoch)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.LastLogin, lastLoginUtc), cancellationToken).ConfigureAwait(false) == 1;
}
