using Tessera.Core.Revocation;

namespace Tessera.AspNetCore.Revocation;

/// <summary>
/// The bus of a single instance: a committed event is applied to this instance's memory at once, so
/// the next request here already sees it. Other processes learn it from the database feed.
/// </summary>
public sealed class InProcessRevocationBus(RevocationSynchronizer synchronizer, IRevocationStore store) : IRevocationBus
{
    public Task PublishAsync(RevocationEvent revocationEvent, CancellationToken cancellationToken = default)
        => synchronizer.ApplyAsync(revocationEvent, store, cancellationToken);
}
