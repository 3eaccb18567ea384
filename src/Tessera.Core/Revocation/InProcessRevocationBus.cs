namespace Tessera.Core.Revocation;

/// <summary>
/// The bus of a single instance: a committed change is applied to this instance's memory at once
/// (and told to its <see cref="AppliedAdmissionChanges"/> listeners), so the next request here already
/// sees it. Other processes learn it from the database feed; a shared bus (Redis) decorates this one
/// to tell them sooner.
/// </summary>
internal sealed class InProcessRevocationBus(RevocationSynchronizer synchronizer, IAdmissionChangeFeedStore store) : IRevocationBus
{
    public Task PublishAsync(AdmissionChange change, CancellationToken cancellationToken = default)
        => synchronizer.ApplyAsync(change, store, cancellationToken);
}
