using Microsoft.EntityFrameworkCore;
using Tessera.Core.ExternalLogin;

namespace Tessera.EntityFrameworkCore.ExternalLogin;

internal sealed class EfUsedIdTokenStore(TesseraDbContext db) : IUsedIdTokenStore
{
    public string Description => "expired used ID tokens";

    public Task<bool> TryUseAsync(string digest, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(digest);
        // The key decides: of concurrent uses, on any instance, one insert goes in and the others find its row.
        var row = new UsedIdToken { Digest = digest, ExpiresAt = expiresAt.UtcDateTime };
        return db.TryInsertAsync(row, () => db.UsedIdTokens.AnyAsync(t => t.Digest == digest, cancellationToken), cancellationToken);
    }

    public Task<int> RemoveExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var at = now.UtcDateTime;
        return db.UsedIdTokens.Where(t => t.ExpiresAt <= at).ExecuteDeleteAsync(cancellationToken);
    }
}
