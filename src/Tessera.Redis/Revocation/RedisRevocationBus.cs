using Tessera.Core.Revocation;

namespace Tessera.Redis.Revocation;

/// <summary>
/// The bus of a deployment of several instances: decorates the in-process bus (the change is applied
/// to this instance's memory first, as with one instance), then publishes it on Redis for the others.
/// </summary>
internal sealed class RedisRevocationBus(InProcessRevocationBus local, RedisRevocationChannel channel) : IRevocationBus
{
    public async Task PublishAsync(AdmissionChange change, CancellationToken cancellationToken = default)
    {
        await local.PublishAsync(change, cancellationToken).ConfigureAwait(false);
        await channel.PublishAsync(change).ConfigureAwait(false);
    }
}
