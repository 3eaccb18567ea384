using Microsoft.EntityFrameworkCore;
using Tessera.Core.Revocation;
using Tessera.Core.Users;

namespace Tessera.Data.Users;

/// <summary>
/// Brings rows written before usernames were normalized (or imported from elsewhere) to NFKC, so that
/// a lookup of the normalized name finds them. Runs with every migration: it only reads names until
/// one needs changing. Two rows whose names normalize alike are two accounts that should be one:
/// which to keep is the operator's call, so it refuses and names both.
/// </summary>
public static class UsernameNormalizationStep
{
    public static async Task RunAsync(TesseraDbContext db, CancellationToken cancellationToken = default)
    {
        if (!UserNormalization.IsAvailable)
            throw new DatabaseMigrationException("Unicode normalization is unavailable (InvariantGlobalization is on): usernames cannot be normalized; run with ICU (libicu) installed and InvariantGlobalization off.");
        var rows = await db.Users.AsNoTracking().Select(u => new { u.Id, u.Username }).ToListAsync(cancellationToken).ConfigureAwait(false);
        var changes = rows.Select(r => (r.Id, From: r.Username, To: UserNormalization.Username(r.Username)))
            .Where(c => c.From != c.To).ToList();
        if (changes.Count == 0)
            return;

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
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (id, _, to) in changes)
        {
            await db.Users.Where(u => u.Id == id).ExecuteUpdateAsync(s => s.SetProperty(u => u.Username, to), cancellationToken).ConfigureAwait(false);
            // A server already running on this database reloads the user from the feed.
            db.RevocationEvents.Add(new RevocationEventRecord { Kind = RevocationEventKind.UserChanged, UserId = id, CreatedAt = now });
        }
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        db.ChangeTracker.Clear();
    }
}
