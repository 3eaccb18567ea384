using Tessera.Core.Revocation;

namespace Tessera.Redis.Revocation;

/// <summary>
/// The bus of a deployment of several instances: a committed event is applied to this instance's
/// memory at once (as the in-process bus does), then published on Redis for the others.
/// </summary>
public sealed class RedisRevocationBus(RevocationSynchronizer synchronizer, IRevocationStore store, RedisRevocationChannel channel) : IRevocationBus
{
    public async Task PublishAsync(RevocationEvent revocationEvent, CancellationToken cancellationToken = default)
    {
        await synchronizer.ApplyAsync(revocationEvent, store, cancellationToken).ConfigureAwait(false);
        await channel.PublishAsync(revocationEvent).ConfigureAwait(false);
    }
}
