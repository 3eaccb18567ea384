using Microsoft.EntityFrameworkCore;

namespace Tessera.EntityFrameworkCore;

/// <summary>
/// Brings a database to the current schema, and its data to the current rules (normalized
/// usernames); run at start by every verb that touches it. Throws <see cref="DatabaseMigrationException"/>
/// when the data cannot be brought over without an operator's decision.
/// </summary>
/// <remarks>
/// Instances that start together each call this. EF Core's migrations lock serializes them where it
/// is held across the whole migration (SQLite's lock row, SQL Server's application lock), and the
/// data step takes that lock too. Npgsql's is not: it is a table lock of one migration's
/// transaction, and EF commits after each migration and locks again for the next from the list of
/// pending migrations it read the first time, so an instance that got the lock in between applies
/// the next migration too and the first then applies it again (42P07 "already exists"). On
/// PostgreSQL, hold a session lock across this call (the server takes <c>pg_advisory_lock</c>), or
/// migrate in a step of its own before the instances start.
/// </remarks>
public static class DatabaseMigrator
{
    /// <returns>What this call changed: the migrations it found pending and applied, and the usernames it normalized.</returns>
    public static async Task<DatabaseMigrationResult> MigrateAsync(TesseraDbContext db, CancellationToken cancellationToken = default)
    {
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken).ConfigureAwait(false)).ToList();
        await db.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
        var normalized = await Users.UsernameNormalizationStep.RunAsync(db, cancellationToken).ConfigureAwait(false);
        return new DatabaseMigrationResult(pending, normalized);
    }
}
