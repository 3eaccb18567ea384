using Microsoft.EntityFrameworkCore;
using Tessera.Core.Revocation;
using Tessera.Core.Users;

namespace Tessera.EntityFrameworkCore.Revocation;

/// <summary>The change feed on <c>revocation_events</c>, and the full load of users and revoked logins.</summary>
internal sealed class EfAdmissionChangeFeedStore(TesseraDbContext db) : IAdmissionChangeFeedStore
{
    public async Task<UserSnapshot?> LoadUserAsync(long userId, CancellationToken cancellationToken = default)
        => (await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, cancellationToken).ConfigureAwait(false))?.ToSnapshot();

    public async Task<RevocationSnapshot> LoadAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        // The event id is read first: events committed while the rest loads are applied again after, harmlessly.
        var last = await db.RevocationEvents.MaxAsync(e => (long?)e.Id, cancellationToken).ConfigureAwait(false) ?? 0;
        // Whole rows, so that the app's user type puts its own roles in the snapshot (User.ToSnapshot).
        var users = (await db.Users.AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false)).ConvertAll(u => u.ToSnapshot());
        var cutoff = now.ToUnixTimeSeconds();
        var rows = await db.RevokedLogins.AsNoTracking().Where(l => l.ExpiresAt >= cutoff)
            .Select(l => new { l.LoginId, l.ExpiresAt }).ToListAsync(cancellationToken).ConfigureAwait(false);
        var revoked = new List<(LoginId, long)>(rows.Count);
        foreach (var row in rows)
            if (LoginId.TryParse(row.LoginId, out var login))
                revoked.Add((login, row.ExpiresAt));
        var recentFrom = last - RevocationSnapshot.RecentIdSpan;
        var recent = await db.RevocationEvents.AsNoTracking().Where(e => e.Id > recentFrom).Select(e => e.Id)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return new RevocationSnapshot(last, users, revoked, recent.ToHashSet());
    }

    public async Task<IReadOnlyList<AdmissionChange>> ReadEventsAsync(long afterId, int max, CancellationToken cancellationToken = default)
        => (await db.RevocationEvents.AsNoTracking().Where(e => e.Id > afterId).OrderBy(e => e.Id).Take(max)
            .ToListAsync(cancellationToken).ConfigureAwait(false)).Select(r => r.ToEvent()).ToList();

    public async Task<IReadOnlyList<AdmissionChange>> ReadEventsAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken = default)
    {
        var wanted = ids.ToList();
        return (await db.RevocationEvents.AsNoTracking().Where(e => wanted.Contains(e.Id)).OrderBy(e => e.Id)
            .ToListAsync(cancellationToken).ConfigureAwait(false)).Select(r => r.ToEvent()).ToList();
    }
}
