using Microsoft.EntityFrameworkCore;
using Tessera.Core.Revocation;

namespace Tessera.EntityFrameworkCore.Revocation;

/// <summary>Revoked-login rows die with the last token of their login.</summary>
internal sealed class EfRevokedLoginRecords(TesseraDbContext db) : IExpiringRecords
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
internal sealed class EfRevocationEventRecords(TesseraDbContext db) : IExpiringRecords
{
    public static readonly TimeSpan Retention = TimeSpan.FromDays(1);

    public string Description => "old revocation events";

    public Task<int> RemoveExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var cutoff = (now - Retention).ToUnixTimeSeconds();
        return db.RevocationEvents.Where(e => e.CreatedAt < cutoff).ExecuteDeleteAsync(cancellationToken);
    }
}
