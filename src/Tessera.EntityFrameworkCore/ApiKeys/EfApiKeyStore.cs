using Microsoft.EntityFrameworkCore;
using Tessera.Core.ApiKeys;
using Tessera.Core.Revocation;
using Tessera.EntityFrameworkCore.Revocation;

namespace Tessera.EntityFrameworkCore.ApiKeys;

internal sealed class EfApiKeyStore(TesseraDbContext db) : IApiKeyStore
{
    public string Description => "expired API keys";

    public async Task<bool> AddAsync(ApiKey key, long? creatorEpoch, CancellationToken cancellationToken = default)
    {
        if (creatorEpoch is { } epoch)
            return await db.InsertAtEpochAsync(key, key.UserId, epoch, cancellationToken).ConfigureAwait(false);
        await db.InsertAsync(key, cancellationToken).ConfigureAwait(false);
        return true;
    }

    public Task<ApiKey?> FindAsync(string keyHash, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var at = now.ToUnixTimeSeconds();
        return db.ApiKeys.AsNoTracking()
            .FirstOrDefaultAsync(k => k.KeyHash == keyHash && (k.ExpiresAt == null || k.ExpiresAt > at), cancellationToken);
    }

    public async Task<IReadOnlyList<ApiKey>> ListAsync(long userId, CancellationToken cancellationToken = default)
        => await db.ApiKeys.AsNoTracking().Where(k => k.UserId == userId).OrderBy(k => k.CreatedAt)
            .ToListAsync(cancellationToken).ConfigureAwait(false);

    public async Task<AdmissionChange?> DeleteAsync(long userId, string prefix, DateTimeOffset now, CancellationToken cancellationToken = default)
        => (await db.DeleteCredentialsAsync(db.ApiKeys.Where(k => k.UserId == userId && k.Prefix == prefix), now, cancellationToken).ConfigureAwait(false)).FirstOrDefault();

    public Task<int> RemoveExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var at = now.ToUnixTimeSeconds();
        return db.ApiKeys.Where(k => k.ExpiresAt != null && k.ExpiresAt <= at).ExecuteDeleteAsync(cancellationToken);
    }
}
