using Microsoft.EntityFrameworkCore;

namespace Tessera.Data;

/// <summary>Brings a database to the current schema; run at start by every verb that touches it.</summary>
public static class DatabaseMigrator
{
    public static async Task MigrateAsync(TesseraDbContext db, CancellationToken cancellationToken = default)
    {
        if (db.Database.IsSqlite())
        {
            // WAL lets readers go on while one writer commits: the server's many requests against
            // one file. It is a property of the file, so setting it once is enough.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken).ConfigureAwait(false);
        }
        await db.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
    }
}
