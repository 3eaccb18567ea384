using Tessera.Core.Revocation;
using Tessera.Core.Users;

namespace Tessera.Core.Admission;

/// <summary>
/// Step 2 of authentication, the same for every scheme: is the proven login still admitted? Asks
/// only memory — the revoked logins and the user snapshots — so it costs no database round trip.
/// One place, so that no scheme can forget a check.
/// </summary>
public sealed class AdmissionGate(RevocationState revocations, UserSnapshots users)
{
    /// <param name="proof">What the scheme proved.</param>
    /// <param name="allowRevokedLogin">
    /// Admit a revoked login of an active user: only for logging out, which such a login may still
    /// do (it can do nothing else), so that logging out twice answers like logging out once.
    /// </param>
    public Admission Admit(LoginProof proof, bool allowRevokedLogin = false)
    {
        if (!allowRevokedLogin && proof.Login is { } login && revocations.IsRevoked(login))
            return Admission.Reject(AdmissionRejection.LoginRevoked);
        var user = users.Find(proof.UserId);
        if (user is null)
            return Admission.Reject(AdmissionRejection.UserNotFound);
        if (!user.IsActive)
            return Admission.Reject(AdmissionRejection.UserInactive);
        if (!allowRevokedLogin && proof.LoginTimeMs is { } madeAt && user.RevokedBeforeMs is { } before && madeAt < before)
            return Admission.Reject(AdmissionRejection.LoginRevoked);
        return Admission.Admit(user);
    }
}
