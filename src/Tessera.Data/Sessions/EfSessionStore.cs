using Microsoft.EntityFrameworkCore;
using Tessera.Core.Sessions;

namespace Tessera.Data.Sessions;

public sealed class EfSessionStore(TesseraDbContext db) : ISessionStore
{
    public string Description => "expired sessions";

    public Task<bool> AddAsync(ServerSession session, CancellationToken cancellationToken = default)
        => db.InsertAtEpochAsync(session, session.UserId, session.Epoch, cancellationToken);

    public Task<ServerSession?> FindAsync(string keyHash, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var at = now.ToUnixTimeSeconds();
        return db.Sessions.AsNoTracking().FirstOrDefaultAsync(s => s.KeyHash == keyHash && s.ExpiresAt > at, cancellationToken);
    }

    public async Task<bool> DeleteAsync(string keyHash, CancellationToken cancellationToken = default)
        => await db.Sessions.Where(s => s.KeyHash == keyHash).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false) > 0;

    public Task<int> RemoveExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var at = now.ToUnixTimeSeconds();
        return db.Sessions.Where(s => s.ExpiresAt <= at).ExecuteDeleteAsync(cancellationToken);
    }
}
