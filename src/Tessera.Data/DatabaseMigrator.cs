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
        await db.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
        await Users.UsernameNormalizationStep.RunAsync(db, cancellationToken).ConfigureAwait(false);
    }
}
