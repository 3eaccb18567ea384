using Microsoft.EntityFrameworkCore;
using Tessera.Core.Revocation;

namespace Tessera.EntityFrameworkCore.Revocation;

internal sealed class EfTokenBlacklist(TesseraDbContext db) : ITokenBlacklist
{
    public string Description => "expired blacklist entries";

    public Task<bool> ContainsAsync(string jti, CancellationToken cancellationToken = default)
        => db.BlacklistedTokens.AnyAsync(t => t.Jti == jti, cancellationToken);

    public Task<int> RemoveExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var cutoff = now.ToUnixTimeSeconds();
        return db.BlacklistedTokens.Where(t => t.ExpiresAt < cutoff).ExecuteDeleteAsync(cancellationToken);
    }
}
