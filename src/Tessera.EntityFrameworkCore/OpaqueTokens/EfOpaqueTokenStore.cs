using Microsoft.EntityFrameworkCore;
using Tessera.Core.OpaqueTokens;
using Tessera.Core.Revocation;
using Tessera.EntityFrameworkCore.Revocation;

namespace Tessera.EntityFrameworkCore.OpaqueTokens;

internal sealed class EfOpaqueTokenStore(TesseraDbContext db) : IOpaqueTokenStore
{
    public string Description => "expired tokens";

    public Task<bool> AddAsync(OpaqueToken token, CancellationToken cancellationToken = default)
        => db.InsertAtEpochAsync(token, token.UserId, token.Epoch, cancellationToken);

    public Task<OpaqueToken?> FindAsync(string keyHash, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var at = now.ToUnixTimeSeconds();
        return db.OpaqueTokens.AsNoTracking()
            .FirstOrDefaultAsync(t => t.KeyHash == keyHash && (t.ExpiresAt == null || t.ExpiresAt > at), cancellationToken);
    }

    public async Task<IReadOnlyList<OpaqueToken>> ListAsync(long userId, CancellationToken cancellationToken = default)
        => await db.OpaqueTokens.AsNoTracking().Where(t => t.UserId == userId).OrderBy(t => t.CreatedAt)
            .ToListAsync(cancellationToken).ConfigureAwait(false);

    public Task<IReadOnlyList<AdmissionChange>> DeleteAsync(long userId, string prefix, DateTimeOffset now, CancellationToken cancellationToken = default)
        => db.DeleteCredentialsAsync(db.OpaqueTokens.Where(t => t.UserId == userId && t.Prefix == prefix), now, cancellationToken);

    public Task<int> RemoveExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var at = now.ToUnixTimeSeconds();
        return db.OpaqueTokens.Where(t => t.ExpiresAt != null && t.ExpiresAt <= at).ExecuteDeleteAsync(cancellationToken);
    }
}
