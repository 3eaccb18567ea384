using Tessera.Core.Revocation;
using Tessera.Core.Users;

namespace Tessera.Core.Admission;

/// <summary>
/// Step 2 of authentication, the same for every scheme and for every view that answers "is this
/// credential valid" (token verify, introspection): is the proven login still admitted? Asks only
/// memory — the revoked logins and the user snapshots — so it costs no database round trip. One
/// place, so that no scheme and no view can forget a check.
/// </summary>
/// <param name="feed">
/// Read once for a user this instance does not know, in case it was made a moment ago elsewhere;
/// an id found missing is remembered, so a token of a deleted user costs no read per request.
/// </param>
/// <param name="rules">The app's own conditions, asked in order after the gate's own.</param>
/// <param name="bus">
/// While it is not live (a shared bus disconnected), <see cref="AdmitAsync"/> reads the feed before
/// every decision, so that a revocation made elsewhere is honoured even though no bus carried it.
/// </param>
public sealed class AdmissionGate(RevocationState revocations, UserSnapshots users, IRevocationFeed? feed = null, IEnumerable<IAdmissionRule>? rules = null,
    IRevocationBusState? bus = null)
{
    private readonly IAdmissionRule[] _rules = rules?.ToArray() ?? [];

    /// <param name="proof">What the scheme proved.</param>
    /// <param name="allowRevokedLogin">
    /// Admit a revoked login of an active user: only for logging out, which such a login may still
    /// do (it can do nothing else), so that logging out twice answers like logging out once.
    /// </param>
    public Admission Admit(CredentialProof proof, bool allowRevokedLogin = false)
    {
        if (!allowRevokedLogin && proof.Login is { } login && revocations.IsRevoked(login))
            return Admission.Reject(AdmissionRejection.LoginRevoked);
        var user = users.Find(proof.UserId);
        if (user is null)
            return Admission.Reject(AdmissionRejection.UserNotFound);
        if (!user.IsActive)
            return Admission.Reject(AdmissionRejection.UserInactive);
        if (!allowRevokedLogin && IsFromAnEarlierEpoch(proof, user))
            return Admission.Reject(AdmissionRejection.LoginRevoked);
        // Logging out is never refused by an app's rule: a refused user must still be able to leave.
        if (_rules.Length > 0 && !allowRevokedLogin)
        {
            var context = new AdmissionContext(user, proof);
            foreach (var rule in _rules)
            {
                rule.Check(context);
                if (context.RefusedBecause is { } detail)
                    return Admission.Reject(AdmissionRejection.RefusedByRule, detail);
            }
        }
        return Admission.Admit(user);
    }

    /// <summary>
    /// <see cref="Admit"/>, and for a user memory does not know (nor knows to be missing), one read
    /// of the feed before deciding; while the bus is not live, a read of the feed that began after
    /// this call, before deciding at all (it throws what the database throws: no decision without it);
    /// and the same for a user whose announced change this instance is still reading (<see cref="UserSnapshots.IsReloading"/>).
    /// </summary>
    public ValueTask<Admission> AdmitAsync(CredentialProof proof, bool allowRevokedLogin = false, CancellationToken cancellationToken = default)
    {
        // The bus down, or a change of this user announced and still being read: decide after the feed.
        if (feed is not null && (bus is { IsLive: false } || users.IsReloading(proof.UserId)))
            return AfterCatchingUpAsync(proof, allowRevokedLogin, cancellationToken);
        var admission = Admit(proof, allowRevokedLogin);
        if (admission.Rejection != AdmissionRejection.UserNotFound || feed is null || users.IsKnownMissing(proof.UserId))
            return ValueTask.FromResult(admission);
        return AfterCatchingUpAsync(proof, allowRevokedLogin, cancellationToken);
    }

    private async ValueTask<Admission> AfterCatchingUpAsync(CredentialProof proof, bool allowRevokedLogin, CancellationToken cancellationToken)
    {
        await feed!.CatchUpNowAsync(cancellationToken).ConfigureAwait(false);
        var admission = Admit(proof, allowRevokedLogin);
        if (admission.Rejection == AdmissionRejection.UserNotFound)
            users.MarkMissing(proof.UserId);
        return admission;
    }

    /// <summary>
    /// Was the credential checked against a state of the user that a password change, revoke-all or
    /// deactivation has since replaced? A later epoch than memory knows is a change this instance
    /// has not heard of yet, not a revocation.
    /// </summary>
    private static bool IsFromAnEarlierEpoch(CredentialProof proof, UserSnapshot user)
    {
        if (proof.Epoch is { } epoch)
            return epoch < user.RevocationEpoch;
        return proof.LoginTimeMs is { } madeAt && user.RevokedBeforeMs is { } before && madeAt < before;
    }
}
