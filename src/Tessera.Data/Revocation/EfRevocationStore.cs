using Microsoft.EntityFrameworkCore;
using Tessera.Core.Revocation;
using Tessera.Core.Users;

namespace Tessera.Data.Revocation;

public sealed class EfRevocationStore(TesseraDbContext db, TimeProvider time) : IRevocationStore
{
    public async Task<RevocationEvent> RevokeLoginAsync(LoginId login, long userId, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        var id = login.ToString();
        var expires = expiresAt.ToUnixTimeSeconds();
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // Revoking twice (a replay race, a logout after reuse) keeps one row with the later expiry.
        await db.Database.ExecuteSqlAsync(
            $"INSERT INTO revoked_logins (login_id, user_id, expires_at, revoked_at) VALUES ({id}, {userId}, {expires}, {now}) ON CONFLICT (login_id) DO UPDATE SET expires_at = CASE WHEN excluded.expires_at > revoked_logins.expires_at THEN excluded.expires_at ELSE revoked_logins.expires_at END",
            cancellationToken).ConfigureAwait(false);
        var e = await AppendAsync(RevocationEventKind.LoginRevoked, userId, id, expires, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return e;
    }

    public async Task<RevocationEvent> RevokeAllAsync(long userId, long revokedBeforeMs, string? newPasswordHash = null, CancellationToken cancellationToken = default)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await db.Users.Where(u => u.Id == userId)
            .ExecuteUpdateAsync(s => s
                .SetProperty(u => u.RevokedBefore, revokedBeforeMs)
                .SetProperty(u => u.PasswordHash, u => newPasswordHash ?? u.PasswordHash), cancellationToken).ConfigureAwait(false);
        await db.Sessions.Where(s => s.UserId == userId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        await db.OpaqueTokens.Where(t => t.UserId == userId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        var e = await AppendAsync(RevocationEventKind.UserChanged, userId, null, 0, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return e;
    }

    public async Task<RevocationEvent?> CreateUserAsync(User user, CancellationToken cancellationToken = default)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await db.InsertAsync(user, cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException e) when (DatabaseErrors.IsUniqueViolation(e))
        {
            return null;
        }
        var created = await AppendAsync(RevocationEventKind.UserChanged, user.Id, null, 0, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return created;
    }

    public async Task<RevocationEvent> SetUserFlagsAsync(long userId, bool isActive, bool isStaff, bool isSuperuser, bool isPremium, CancellationToken cancellationToken = default)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s
            .SetProperty(u => u.IsActive, isActive)
            .SetProperty(u => u.IsStaff, isStaff)
            .SetProperty(u => u.IsSuperuser, isSuperuser)
            .SetProperty(u => u.IsPremium, isPremium), cancellationToken).ConfigureAwait(false);
        var e = await AppendAsync(RevocationEventKind.UserChanged, userId, null, 0, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return e;
    }

    public async Task<RevocationEvent> DeleteUserAsync(long userId, CancellationToken cancellationToken = default)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await db.Users.Where(u => u.Id == userId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        var e = await AppendAsync(RevocationEventKind.UserChanged, userId, null, 0, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return e;
    }

    public Task<RevocationEvent> UserChangedAsync(long userId, CancellationToken cancellationToken = default)
        => AppendAsync(RevocationEventKind.UserChanged, userId, null, 0, cancellationToken);

    public Task<UserSnapshot?> LoadUserAsync(long userId, CancellationToken cancellationToken = default)
        => Snapshots(db.Users.Where(u => u.Id == userId)).FirstOrDefaultAsync(cancellationToken);

    public async Task<RevocationSnapshot> LoadAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        // The event id is read first: events committed while the rest loads are applied again after, harmlessly.
        var last = await db.RevocationEvents.MaxAsync(e => (long?)e.Id, cancellationToken).ConfigureAwait(false) ?? 0;
        var users = await Snapshots(db.Users).ToListAsync(cancellationToken).ConfigureAwait(false);
        var cutoff = now.ToUnixTimeSeconds();
        var rows = await db.RevokedLogins.AsNoTracking().Where(l => l.ExpiresAt >= cutoff)
            .Select(l => new { l.LoginId, l.ExpiresAt }).ToListAsync(cancellationToken).ConfigureAwait(false);
        var revoked = new List<(LoginId, long)>(rows.Count);
        foreach (var row in rows)
            if (LoginId.TryParse(row.LoginId, out var login))
                revoked.Add((login, row.ExpiresAt));
        return new RevocationSnapshot(last, users, revoked);
    }

    public async Task<IReadOnlyList<RevocationEvent>> ReadEventsAsync(long afterId, int max, CancellationToken cancellationToken = default)
        => (await db.RevocationEvents.AsNoTracking().Where(e => e.Id > afterId).OrderBy(e => e.Id).Take(max)
            .ToListAsync(cancellationToken).ConfigureAwait(false)).Select(r => r.ToEvent()).ToList();

    private async Task<RevocationEvent> AppendAsync(RevocationEventKind kind, long userId, string? loginId, long expiresAt, CancellationToken cancellationToken)
    {
        var record = new RevocationEventRecord
        {
            Kind = kind,
            UserId = userId,
            LoginId = loginId,
            ExpiresAt = expiresAt,
            CreatedAt = time.GetUtcNow().ToUnixTimeSeconds(),
        };
        await db.InsertAsync(record, cancellationToken).ConfigureAwait(false);
        return record.ToEvent();
    }

    private static IQueryable<UserSnapshot> Snapshots(IQueryable<User> users)
        => users.AsNoTracking().Select(u => new UserSnapshot(u.Id, u.Username, u.Email, u.IsActive, u.IsStaff, u.IsSuperuser, u.IsPremium, u.RevokedBefore));
}

/// <summary>Revoked-login rows die with the last token of their login.</summary>
public sealed class EfRevokedLoginRecords(TesseraDbContext db) : IExpiringRecords
{
    public string Description => "expired login revocations";

    public Task<int> RemoveExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var cutoff = now.ToUnixTimeSeconds();
        return db.RevokedLogins.Where(l => l.ExpiresAt < cutoff).ExecuteDeleteAsync(cancellationToken);
    }
}

/// <summary>
/// Feed events are kept a day: every running instance has read them long before; one that could not
/// read the feed for half that long reloads everything instead (see RevocationSynchronizer).
/// </summary>
public sealed class EfRevocationEventRecords(TesseraDbContext db) : IExpiringRecords
{
    public static readonly TimeSpan Retention = TimeSpan.FromDays(1);

    public string Description => "old revocation events";

    public Task<int> RemoveExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var cutoff = (now - Retention).ToUnixTimeSeconds();
        return db.RevocationEvents.Where(e => e.CreatedAt < cutoff).ExecuteDeleteAsync(cancellationToken);
    }
}
