using Microsoft.EntityFrameworkCore;
using Tessera.Core.Revocation;
using Tessera.Core.Sessions;
using Tessera.EntityFrameworkCore.Revocation;

namespace Tessera.EntityFrameworkCore.Sessions;

internal sealed class EfSessionStore(TesseraDbContext db) : ISessionStore
{
    public string Description => "expired sessions";

    public Task<bool> AddAsync(ServerSession session, CancellationToken cancellationToken = default)
        => db.InsertAtEpochAsync(session, session.UserId, session.Epoch, cancellationToken);

    public Task<ServerSession?> FindAsync(string keyHash, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var at = now.ToUnixTimeSeconds();
        return db.Sessions.AsNoTracking().FirstOrDefaultAsync(s => s.KeyHash == keyHash && s.ExpiresAt > at, cancellationToken);
    }

    public async Task<AdmissionChange?> DeleteAsync(string keyHash, DateTimeOffset now, CancellationToken cancellationToken = default)
        => (await db.DeleteCredentialsAsync(db.Sessions.Where(s => s.KeyHash == keyHash), now, cancellationToken).ConfigureAwait(false)).FirstOrDefault();

    public Task<int> RemoveExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var at = now.ToUnixTimeSeconds();
        return db.Sessions.Where(s => s.ExpiresAt <= at).ExecuteDeleteAsync(cancellationToken);
    }
}
