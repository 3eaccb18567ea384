using Microsoft.EntityFrameworkCore;
using Tessera.Core.Logins;
using Tessera.Core.Revocation;

namespace Tessera.EntityFrameworkCore.Logins;

internal sealed class EfLoginRecordStore(TesseraDbContext db) : ILoginRecordStore
{
    public string Description => "expired login records";

    public Task AddAsync(LoginRecord record, CancellationToken cancellationToken = default)
        => db.InsertAsync(record, cancellationToken);

    public async Task<IReadOnlyList<LoginRecord>> ListActiveAsync(long userId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var at = now.UtcDateTime;
        var seconds = now.ToUnixTimeSeconds();
        var records = await db.Logins.AsNoTracking()
            .Where(l => l.UserId == userId && (l.ExpiresAt == null || l.ExpiresAt > at))
            .OrderBy(l => l.CreatedAt)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        if (records.All(r => r.Kind == LoginKinds.Jwt))
            return records;
        // A stored credential's login lives while its row does: deleted elsewhere (logout, the token's
        // or key's own endpoint, a sweep), its record is stale even after its revocation has expired.
        var sessions = (await db.Sessions.AsNoTracking().Where(s => s.UserId == userId && s.ExpiresAt > seconds).Select(s => s.KeyHash)
            .ToListAsync(cancellationToken).ConfigureAwait(false)).ToHashSet();
        var tokens = (await db.OpaqueTokens.AsNoTracking().Where(t => t.UserId == userId && (t.ExpiresAt == null || t.ExpiresAt > seconds)).Select(t => t.Prefix)
            .ToListAsync(cancellationToken).ConfigureAwait(false)).ToHashSet();
        var keys = (await db.ApiKeys.AsNoTracking().Where(k => k.UserId == userId && (k.ExpiresAt == null || k.ExpiresAt > seconds)).Select(k => k.Prefix)
            .ToListAsync(cancellationToken).ConfigureAwait(false)).ToHashSet();
        return [.. records.Where(r => r.Kind switch
        {
            LoginKinds.Session => sessions.Contains(r.Credential ?? ""),
            LoginKinds.Token => tokens.Contains(r.Credential ?? ""),
            LoginKinds.ApiKey => keys.Contains(r.Credential ?? ""),
            _ => true,
        })];
    }

    public Task ExtendAsync(LoginId login, DateTime expiresAt, CancellationToken cancellationToken = default)
    {
        var id = login.ToString();
        return db.Logins.Where(l => l.LoginId == id && l.ExpiresAt != null && l.ExpiresAt < expiresAt)
            .ExecuteUpdateAsync(u => u.SetProperty(l => l.ExpiresAt, expiresAt), cancellationToken);
    }

    public Task RemoveAsync(long userId, IReadOnlyCollection<string> loginIds, CancellationToken cancellationToken = default)
        => db.Logins.Where(l => l.UserId == userId && loginIds.Contains(l.LoginId)).ExecuteDeleteAsync(cancellationToken);

    public async Task TouchAsync(IReadOnlyCollection<(LoginId Login, DateTime LastUsed)> batch, CancellationToken cancellationToken = default)
    {
        // One transaction of small updates: a batch holds the logins used in one flush interval.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (login, lastUsed) in batch)
        {
            var id = login.ToString();
            await db.Logins.Where(l => l.LoginId == id && (l.LastUsedAt == null || l.LastUsedAt < lastUsed))
                .ExecuteUpdateAsync(u => u.SetProperty(l => l.LastUsedAt, lastUsed), cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task<int> RemoveExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var at = now.UtcDateTime;
        return db.Logins.Where(l => l.ExpiresAt != null && l.ExpiresAt <= at).ExecuteDeleteAsync(cancellationToken);
    }
}
