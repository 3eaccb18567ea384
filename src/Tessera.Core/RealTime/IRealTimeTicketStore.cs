using Tessera.Core.Revocation;

namespace Tessera.Core.RealTime;

/// <summary>Where tickets live between their issue and their one use: the database every instance shares.</summary>
public interface IRealTimeTicketStore : IExpiringRecords
{
    Task AddAsync(RealTimeTicket ticket, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes the ticket with this key hash: deletes it and returns it, to one caller only, however many
    /// ask at once on however many instances; null when there is none, another caller took it, or it
    /// expired at or before <paramref name="now"/>.
    /// </summary>
    Task<RealTimeTicket?> TakeAsync(string keyHash, DateTimeOffset now, CancellationToken cancellationToken = default);
}
