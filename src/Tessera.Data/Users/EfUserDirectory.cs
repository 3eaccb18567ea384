using Microsoft.EntityFrameworkCore;
using Tessera.Core.Users;

namespace Tessera.Data.Users;

/// <summary>The user directory read from the database, one indexed primary-key lookup per call.</summary>
public sealed class EfUserDirectory(TesseraDbContext db) : IUserDirectory
{
    public async ValueTask<UserSnapshot?> FindAsync(long userId, CancellationToken cancellationToken = default)
        => await db.Users.AsNoTracking()
            .Where(u => u.Id == userId)
            .Select(u => new UserSnapshot(u.Id, u.Username, u.Email, u.IsActive, u.IsStaff, u.IsSuperuser, u.IsPremium))
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
}
