using Microsoft.EntityFrameworkCore;
using Tessera.EntityFrameworkCore;

namespace Tessera.Server.Data;

/// <summary>
/// For instances that do not migrate (<c>Tessera:Storage:Migrate=false</c>, <c>serve --no-migrate</c>):
/// waits until the database has every migration this version knows, applied by <c>tessera migrate</c>
/// (a deployment step of its own) or by an instance that does migrate. A database newer than this
/// version is current for it: only migrations it knows can be pending.
/// </summary>
public static class SchemaWait
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    public static async Task UntilCurrentAsync(DbContext db, TimeSpan timeout, ILogger logger, CancellationToken cancellationToken = default)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var said = false;
        while (true)
        {
            List<string>? pending = null;
            try
            {
                pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            }
            catch (Exception e) when (e is TimeoutException || e.InnerException is TimeoutException)
            {
                // A migration under way holds the history table (PostgreSQL locks it for each one) for
                // longer than a command may wait: still pending.
            }
            if (pending is { Count: 0 })
                return;
            var what = pending is null ? "a migration is under way" : $"{pending.Count} migration(s) pending, from {pending[0]}";
            if (waited.Elapsed >= timeout)
                throw new DatabaseMigrationException(
                    $"the schema is not current after {timeout} ({MigrationSettings.SchemaWaitTimeoutSetting}): {what}; " +
                    $"run `tessera migrate`, or start without --no-migrate ({MigrationSettings.MigrateSetting}=true).");
            if (!said)
            {
                logger.LogInformation("The database's schema is not current ({What}); waiting for `tessera migrate` (at most {Timeout}).", what, timeout);
                said = true;
            }
            await Task.Delay(PollInterval, cancellationToken);
        }
    }
}
