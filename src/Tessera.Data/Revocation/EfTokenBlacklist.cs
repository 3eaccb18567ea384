using Microsoft.EntityFrameworkCore;
using Tessera.Core.Revocation;

namespace Tessera.Data.Revocation;

public sealed class EfTokenBlacklist(TesseraDbContext db) : ITokenBlacklist
{
    public string Description => "expired blacklist entries";

    // Far beyond any token lifetime; keeps a forged-but-signed exp of 1e30 storable and sweepable.
    private static readonly long MaxUnixSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    public async Task<bool> TryAddAsync(string jti, long? userId, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        var expires = Math.Min(expiresAt.ToUnixTimeSeconds(), MaxUnixSeconds);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        // One statement, decided by the primary key: SQLite and PostgreSQL both report 0 rows for the loser.
        var inserted = await db.Database.ExecuteSqlAsync(
            $"INSERT INTO token_blacklist (jti, user_id, expires_at, blacklisted_at) VALUES ({jti}, {userId}, {expires}, {now}) ON CONFLICT (jti) DO NOTHING",
            cancellationToken).ConfigureAwait(false);
        return inserted == 1;
    }

    public Task<bool> ContainsAsync(string jti, CancellationToken cancellationToken = default)
        => db.BlacklistedTokens.AnyAsync(t => t.Jti == jti, cancellationToken);

    public Task<int> RemoveExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var cutoff = now.ToUnixTimeSeconds();
        return db.BlacklistedTokens.Where(t => t.ExpiresAt < cutoff).ExecuteDeleteAsync(cancellationToken);
    }
}
