using Microsoft.EntityFrameworkCore;
using Npgsql;
using Tessera.EntityFrameworkCore;

namespace Tessera.Server.Data;

/// <summary>
/// Keeps instances that start together on one PostgreSQL database from migrating it at once: held
/// from before the pending migrations are read until the data step is done, so whoever comes second
/// waits, then finds the database current and does nothing. EF Core's own lock does not do it there
/// (see <see cref="DatabaseMigrator"/>: Npgsql's is released after each migration, and the first
/// instance then applies again what the second applied in between: 42P07 "relation
/// "IX_users_lower_email" already exists"). It is a session-level <c>pg_advisory_lock</c> on a
/// connection of its own, outside any pool, so it ends with the session: a migrator that dies frees
/// it at once. On SQLite there is none to take: EF's lock (a row in <c>__EFMigrationsLock</c>) is
/// held across the whole migration, and the data step takes it too.
/// </summary>
public static class MigrationLock
{
    /// <summary>Tessera's key among the database's advisory locks: "tessera" in ASCII.</summary>
    public const long AdvisoryKey = 0x74657373657261;

    /// <summary>
    /// Takes the lock, waiting at most <paramref name="timeout"/> for an instance that holds it;
    /// disposing the result frees it. Null on SQLite.
    /// </summary>
    public static async Task<IAsyncDisposable?> AcquireAsync(DbContext db, TimeSpan timeout, ILogger logger, CancellationToken cancellationToken = default)
    {
        if (!db.Database.IsNpgsql())
            return null;
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(db.Database.GetConnectionString()) { Pooling = false }.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            if (await LockAsync(connection, "pg_try_advisory_lock", cancellationToken) is true)
                return connection;
            logger.LogInformation("Another instance is migrating the database; waiting for it (at most {Timeout}).", timeout);
            // The server bounds the wait (lock_timeout), not the client: a command timeout would cut it at 30 s.
            await using (var bound = new NpgsqlCommand($"SET lock_timeout = {(long)Math.Min(timeout.TotalMilliseconds, int.MaxValue)}", connection))
                await bound.ExecuteNonQueryAsync(cancellationToken);
            try
            {
                await LockAsync(connection, "pg_advisory_lock", cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
            {
                throw new DatabaseMigrationException(
                    $"another instance has held the migration lock (pg_advisory_lock({AdvisoryKey})) for all of {MigrationSettings.SchemaWaitTimeoutSetting} ({timeout}): " +
                    "it is still migrating, or stuck (see its log, and pg_locks); start again once it is done.");
            }
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static async Task<object?> LockAsync(NpgsqlConnection connection, string function, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT {function}({AdvisoryKey})", connection) { CommandTimeout = 0 };
        return await command.ExecuteScalarAsync(cancellationToken);
    }
}
