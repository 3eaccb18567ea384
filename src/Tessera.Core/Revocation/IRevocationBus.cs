namespace Tessera.Core.Revocation;

/// <summary>
/// Tells every instance's memory about a committed <see cref="RevocationEvent"/>. In one process it
/// applies the event at once; with several instances a shared bus (Redis) carries it. The
/// database feed stays the catch-up path for anything a bus drops.
/// </summary>
public interface IRevocationBus
{
    Task PublishAsync(RevocationEvent revocationEvent, CancellationToken cancellationToken = default);
}
