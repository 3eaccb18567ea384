namespace Tessera.Core.Revocation;

/// <summary>
/// A change to what the admission gate decides, committed to the database in the same transaction as
/// the change and then applied by every instance to its memory: a user changed (created, deactivated,
/// roles, profile, email verified, revoke-all, password change, deleted), or one login was revoked (a
/// JWT login logged out or reused, a session, DRF token or API key deleted). Made only by
/// <see cref="AdmissionChanges"/>. Stored as a <see cref="RevocationEventRecord"/> and carried on
/// Redis in the same fields: the name changed, the wire formats did not.
/// </summary>
public sealed record AdmissionChange(long Id, AdmissionChangeKind Kind, long UserId, string? LoginId, long ExpiresAt);

public enum AdmissionChangeKind
{
    /// <summary>Reload this user's snapshot.</summary>
    UserChanged = 1,

    /// <summary>Refuse this login until <see cref="AdmissionChange.ExpiresAt"/>.</summary>
    LoginRevoked = 2,

    /// <summary>
    /// An operator retired the signing key whose <c>kid</c> is in <see cref="AdmissionChange.LoginId"/>:
    /// refuse every token it signed (until <see cref="AdmissionChange.ExpiresAt"/>, when none can be valid).
    /// </summary>
    SigningKeyRetired = 3,
}
