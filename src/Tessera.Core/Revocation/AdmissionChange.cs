namespace Tessera.Core.Revocation;

/// <summary>
/// A change to what the admission gate decides, committed to the database in the same transaction as
/// the change and then applied by every instance to its memory: a user changed (created, deactivated,
/// roles, profile, email verified, revoke-all, password change, deleted), or one login was revoked (a
/// JWT login logged out or reused, a session, DRF token or API key deleted). Made only by
/// <see cref="AdmissionChanges"/>. Stored as a <see cref="RevocationEventRecord"/> and carried on
/// Redis in the same fields: the name changed, the wire formats did not.
/// </summary>
public sealed record AdmissionChange(long Id, AdmissionChangeKind Kind, long UserId, string? LoginId, long ExpiresAt)
{
    /// <summary>
    /// When the change was written, in Unix milliseconds by the clock of the instance (or process)
    /// that made it, inside its transaction a moment before the commit; 0 when unknown (an event
    /// stored or sent by a version before this one). Only for measuring how long changes take to
    /// reach the other instances (<c>tessera.revocation.propagation.delay</c>); it decides nothing.
    /// </summary>
    public long CommittedAtMs { get; init; }
}

/// <summary>How an <see cref="AdmissionChange"/> reached this instance's memory.</summary>
internal enum AdmissionChangePath
{
    /// <summary>Made here: <see cref="AdmissionChanges"/> published it to this instance's bus.</summary>
    Here,

    /// <summary>Made by another instance, and carried by the shared bus (Redis).</summary>
    Bus,

    /// <summary>
    /// Read from the database feed: made by another instance or process (the CLI), the bus not having
    /// brought it first. Rarely one made here: a feed read that falls between its commit and its
    /// publication on this instance (a few milliseconds) reads it first.
    /// </summary>
    Feed,
}

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
