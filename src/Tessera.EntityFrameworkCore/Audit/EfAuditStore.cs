using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.Core.Audit;

namespace Tessera.EntityFrameworkCore.Audit;

/// <summary>The audit trail on <c>audit_events</c>: appends, pages newest first by id, and the retention sweep.</summary>
internal sealed class EfAuditStore(TesseraDbContext db, IOptions<AuditOptions> options) : IAuditStore
{
    public string Description => "audit events";

    public Task AddAsync(IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken = default)
        => events.Count == 0 ? Task.CompletedTask : SaveAsync(db, events, cancellationToken);

    public async Task<IReadOnlyList<AuditEvent>> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        var rows = db.AuditEvents.AsNoTracking();
        // Both given ("user" digits: an id, or a name of digits): either matches.
        if (query is { UserId: { } userId, Username: { } username })
            rows = rows.Where(e => e.UserId == userId || e.Username == username);
        else if (query.UserId is { } id)
            rows = rows.Where(e => e.UserId == id);
        else if (query.Username is { } name)
            rows = rows.Where(e => e.Username == name);
        if (query.Event is { } eventName)
            rows = rows.Where(e => e.Event == eventName);
        if (query.Since is { } since)
        {
            var from = since.UtcDateTime;
            rows = rows.Where(e => e.Time >= from);
        }
        if (query.Before is { } before)
            rows = rows.Where(e => e.Id < before);
        return await rows.OrderByDescending(e => e.Id).Take(query.Limit).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task<int> RemoveExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var cutoff = (now - options.Value.Retention).UtcDateTime;
        return db.AuditEvents.Where(e => e.Time < cutoff).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>
    /// An event appended inside a unit of work (the caller's transaction): stamped with the time and the
    /// request's origin, its username read when the change did not know it.
    /// </summary>
    internal static async Task AppendAsync(TesseraDbContext db, AuditEvent e, DateTimeOffset now, IRequestOrigin? origin, CancellationToken cancellationToken)
    {
        e.Time = now.UtcDateTime;
        origin?.Current?.Stamp(e);
        if (e.Username is null && e.UserId is { } userId)
            e.Username = await db.Users.Where(u => u.Id == userId).Select(u => u.Username).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        await SaveAsync(db, [e], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The events inserted, then detached: the context tracks none of them after the write, whether it succeeded or not.</summary>
    private static async Task SaveAsync(TesseraDbContext db, IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken)
    {
        db.AuditEvents.AddRange(events);
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var e in events)
                db.Entry(e).State = EntityState.Detached;
        }
    }
}
