using Microsoft.EntityFrameworkCore;

namespace Tessera.Data;

internal static class DbContextExtensions
{
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
