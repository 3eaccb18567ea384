using Microsoft.EntityFrameworkCore;
using Tessera.Core.RealTime;

namespace Tessera.EntityFrameworkCore.RealTime;

internal sealed class EfRealTimeTicketStore(TesseraDbContext db) : IRealTimeTicketStore
{
    public string Description => "expired real-time tickets";

    public async Task AddAsync(RealTimeTicket ticket, CancellationToken cancellationToken = default)
    {
        db.RealTimeTickets.Add(ticket);
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            db.Entry(ticket).State = EntityState.Detached;
        }
    }

    public async Task<RealTimeTicket?> TakeAsync(string keyHash, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        // Rows are never updated, so what this read finds is what the delete below removes; the
        // delete decides who took it: of concurrent takers (on any instance), one deletes the row
        // and the others delete nothing.
        var row = await db.RealTimeTickets.AsNoTracking().FirstOrDefaultAsync(t => t.KeyHash == keyHash, cancellationToken).ConfigureAwait(false);
        if (row is null)
            return null;
        var taken = await db.RealTimeTickets.Where(t => t.KeyHash == keyHash).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        return taken == 1 && row.ExpiresAtMs > now.ToUnixTimeMilliseconds() ? row : null;
    }

    public Task<int> RemoveExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var at = now.ToUnixTimeMilliseconds();
        return db.RealTimeTickets.Where(t => t.ExpiresAtMs <= at).ExecuteDeleteAsync(cancellationToken);
    }
}
