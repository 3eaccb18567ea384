using Microsoft.EntityFrameworkCore;

namespace Tessera.Data;

/// <summary>
/// Brings a database to the current schema, and its data to the current rules (normalized
/// usernames); run at start by every verb that touches it. Throws <see cref="DatabaseMigrationException"/>
/// when the data cannot be brought over without an operator's decision.
/// </summary>
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
        await Users.UsernameNormalizationStep.RunAsync(db, cancellationToken).ConfigureAwait(false);
    }
}
