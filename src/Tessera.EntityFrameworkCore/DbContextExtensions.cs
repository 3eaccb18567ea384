using Microsoft.EntityFrameworkCore;

namespace Tessera.EntityFrameworkCore;

internal static class DbContextExtensions
{
    /// <summary>
    /// Inserts a credential for a login only while its user's revocation epoch is still
    /// <paramref name="epoch"/>, the one the login's password check read; false, and nothing written,
    /// when a password change, revoke-all or deactivation committed since. The user's row is written
    /// first (to itself), so the database serializes this against such a change: on PostgreSQL the
    /// update waits for the change's row lock and then sees its epoch; on SQLite writers take turns.
    /// </summary>
    public static async Task<bool> InsertAtEpochAsync<T>(this TesseraDbContext db, T entity, long userId, long epoch, CancellationToken cancellationToken) where T : class
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var held = await db.Users.Where(u => u.Id == userId && u.RevocationEpoch == epoch)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.RevocationEpoch, u => u.RevocationEpoch), cancellationToken).ConfigureAwait(false);
        if (held != 1)
            return false;
        await db.InsertAsync(entity, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Inserts a row whose key or unique index may be taken already, inside the caller's transaction:
    /// true when it went in; false when <paramref name="taken"/> then finds the row that holds the
    /// key (a concurrent writer's, committed). Any other failure is thrown. Provider-neutral: no
    /// provider's error codes, no <c>ON CONFLICT</c>; EF Core's automatic savepoint undoes just the
    /// failed insert, so the transaction goes on (PostgreSQL would otherwise abort all of it).
    /// </summary>
    public static async Task<bool> TryInsertAsync<T>(this DbContext db, T entity, Func<Task<bool>> taken, CancellationToken cancellationToken) where T : class
    {
        try
        {
            await db.InsertAsync(entity, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DbUpdateException)
        {
            if (await taken().ConfigureAwait(false))
                return false;
            throw;
        }
    }

    /// <summary>
    /// Inserts one row and lets go of it: the stores hand out plain objects and keep no change
    /// tracking across calls of a scoped context.
    /// </summary>
    public static async Task InsertAsync<T>(this DbContext db, T entity, CancellationToken cancellationToken) where T : class
    {
        db.Add(entity);
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            db.Entry(entity).State = EntityState.Detached;
        }
    }
}
