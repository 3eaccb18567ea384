using Tessera.Core.Users;

namespace Tessera.Core.Admission;

/// <summary>
/// An app's own condition for admitting a request, after the gate's (revoked, unknown, inactive,
/// earlier epoch): asked on every request of every scheme, on the user's snapshot in memory, so it
/// must not block; a change to what it reads (a flag, a role) applies on the very next request.
/// The seeds' custom authentication that refuses unverified users is one.
/// </summary>
public interface IAdmissionRule
{
    void Check(AdmissionContext context);
}

/// <summary>What a rule sees, and how it refuses.</summary>
public sealed class AdmissionContext(UserSnapshot user, CredentialProof proof)
{
    public UserSnapshot User { get; } = user;

    /// <summary>The credential's proof: its scheme, its login, its expiry.</summary>
    public CredentialProof Proof { get; } = proof;

    /// <summary>Set by <see cref="Refuse"/>: the request is answered 401 with <c>{"detail": ...}</c>.</summary>
    public string? RefusedBecause { get; private set; }

    public void Refuse(string detail)
    {
        ArgumentException.ThrowIfNullOrEmpty(detail);
        RefusedBecause = detail;
    }
}
