using Tessera.Core.Users;

namespace Tessera.Core.Admission;

/// <summary>
/// Step 2 of authentication, the same for every scheme: is the proven login's user still admitted?
/// One place, so that a scheme cannot forget a check.
/// </summary>
public sealed class AdmissionGate(IUserDirectory users)
{
    public async ValueTask<Admission> AdmitAsync(LoginProof proof, CancellationToken cancellationToken = default)
    {
        var user = await users.FindAsync(proof.UserId, cancellationToken).ConfigureAwait(false);
        if (user is null)
            return Admission.Reject(AdmissionRejection.UserNotFound);
        if (!user.IsActive)
            return Admission.Reject(AdmissionRejection.UserInactive);
        return Admission.Admit(user);
    }
}
