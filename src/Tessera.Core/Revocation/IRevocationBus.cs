namespace Tessera.Core.Revocation;

/// <summary>
/// Tells every instance's memory about a committed <see cref="AdmissionChange"/>. In one process it
/// applies the change at once (<see cref="InProcessRevocationBus"/>); with several instances a shared
/// bus (Redis) decorates that and carries it to the others. The database feed stays the catch-up path
/// for anything a bus drops. Called by <see cref="AdmissionChanges"/> only: whatever changes what the
/// gate decides goes through it, so no change can be committed and left unpublished.
/// </summary>
public interface IRevocationBus
{
    Task PublishAsync(AdmissionChange change, CancellationToken cancellationToken = default);
}
