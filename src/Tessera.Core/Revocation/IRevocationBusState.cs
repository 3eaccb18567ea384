namespace Tessera.Core.Revocation;

/// <summary>
/// Whether this instance hears of every change as it commits. The bus of a single instance always
/// does (<see cref="AlwaysLive"/>); a shared bus (Redis) does while it is connected, subscribed and
/// caught up. While it is not, the <see cref="Admission.AdmissionGate"/> reads the database feed before
/// each decision (fail closed): a revocation made on another instance is then never admitted, at the
/// price of a read that concurrent requests share.
/// </summary>
public interface IRevocationBusState
{
    bool IsLive { get; }
}

/// <summary>The state of a bus that cannot miss a change: the in-process bus of a single instance.</summary>
internal sealed class AlwaysLive : IRevocationBusState
{
    public static readonly AlwaysLive Instance = new();

    public bool IsLive => true;
}
