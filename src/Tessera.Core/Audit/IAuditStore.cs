using Tessera.Core.Revocation;

namespace Tessera.Core.Audit;

/// <summary>
/// The audit trail's persistence. Events of a change (a password change, a deactivation) are appended
/// in the change's own transaction (<see cref="IUserChangeTransaction.AppendAuditAsync"/>); this is
/// for the events that have none (a sign-in, a refused one) and for reading. As an
/// <see cref="IExpiringRecords"/>, it deletes events older than <see cref="AuditOptions.Retention"/>.
/// </summary>
public interface IAuditStore : IExpiringRecords
{
    /// <summary>Appends the events, in one write.</summary>
    Task AddAsync(IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken = default);

    /// <summary>Events newest first, as <paramref name="query"/> selects; at most its limit.</summary>
    Task<IReadOnlyList<AuditEvent>> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default);
}

/// <summary>A selection of the trail. Null selects everything; a user id and a username together select the events of either.</summary>
/// <param name="Before">The cursor: only events whose id is below it (the next page).</param>
public sealed record AuditQuery(long? UserId = null, string? Username = null, string? Event = null, DateTimeOffset? Since = null, long? Before = null, int Limit = 50);
