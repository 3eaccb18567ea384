using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Tessera.Core.Revocation;
using Tessera.Core.Users;

namespace Tessera.EntityFrameworkCore.Users;

/// <summary>
/// Brings rows written before usernames were normalized (or imported from elsewhere) to NFKC, so that
/// a lookup of the normalized name finds them. Runs with every migration: it only reads names until
/// one needs changing. Two rows whose names normalize alike are two accounts that should be one:
/// which to keep is the operator's call, so it refuses and names both.
/// </summary>
internal static class UsernameNormalizationStep
{
    /// <returns>How many usernames it rewrote.</returns>
    public static async Task<int> RunAsync(TesseraDbContext db, CancellationToken cancellationToken = default)
    {
        if (!UserNormalization.IsAvailable)
            throw new DatabaseMigrationException("Unicode normalization is unavailable (InvariantGlobalization is on): usernames cannot be normalized; run with ICU (libicu) installed and InvariantGlobalization off.");

        // Instances that start together each run this step: under the migrations' own lock, taken
        // before the names are read, one of them rewrites the rows (and tells running servers, once)
        // and the others find nothing to do. Where the provider's lock ends with a transaction
        // (PostgreSQL's) it is taken inside this step's; where it is held apart from transactions
        // (SQLite's row) it is taken before, as EF's migrator does, so a writer waiting for the file
        // never holds it.
        var history = db.GetService<IHistoryRepository>();
        var lockEndsWithTransaction = history.LockReleaseBehavior == LockReleaseBehavior.Transaction;
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false); // a session's lock lasts while it is open
        IMigrationsDatabaseLock? databaseLock = null;
        try
        {
            if (!lockEndsWithTransaction)
                databaseLock = await history.AcquireDatabaseLockAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            databaseLock ??= await history.AcquireDatabaseLockAsync(cancellationToken).ConfigureAwait(false);

            var rows = await db.Users.AsNoTracking().Select(u => new { u.Id, u.Username }).ToListAsync(cancellationToken).ConfigureAwait(false);
            var changes = rows.Select(r => (r.Id, From: r.Username, To: UserNormalization.Username(r.Username)))
                .Where(c => c.From != c.To).ToList();
            if (changes.Count == 0)
                return 0;

            var owners = rows.ToDictionary(r => r.Username, r => r.Id, StringComparer.Ordinal);
            foreach (var group in changes.GroupBy(c => c.To, StringComparer.Ordinal))
            {
                var ids = group.Select(c => c.Id).ToList();
                if (owners.TryGetValue(group.Key, out var existing))
                    ids.Insert(0, existing);
                if (ids.Count > 1)
                    throw new DatabaseMigrationException(
                        $"Users {string.Join(", ", ids)} have usernames that normalize (NFKC) to the same name '{group.Key}'; " +
                        "rename or merge all but one of them (UPDATE users SET username = ... WHERE id = ...) and start again.");
            }

            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            foreach (var (id, _, to) in changes)
            {
                await db.Users.Where(u => u.Id == id).ExecuteUpdateAsync(s => s.SetProperty(u => u.Username, to), cancellationToken).ConfigureAwait(false);
                // A server already running on this database reloads the user from the feed.
                db.RevocationEvents.Add(new RevocationEventRecord { Kind = AdmissionChangeKind.UserChanged, UserId = id, CreatedAt = now });
            }
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            db.ChangeTracker.Clear();
            return changes.Count;
        }
        finally
        {
            if (databaseLock is not null)
                await databaseLock.DisposeAsync().ConfigureAwait(false);
            await db.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }
}
