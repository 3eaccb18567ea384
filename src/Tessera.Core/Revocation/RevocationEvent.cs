namespace Tessera.Core.Revocation;

/// <summary>
/// A change to who is admitted, written to the database in the same transaction as the change and
/// then applied by every instance to its memory: a user changed (created, deactivated, roles,
/// revoke-all), or one login was revoked.
/// </summary>
public sealed record RevocationEvent(long Id, RevocationEventKind Kind, long UserId, string? LoginId, long ExpiresAt);

public enum RevocationEventKind
{
    /// <summary>Reload this user's snapshot.</summary>
    UserChanged = 1,

    /// <summary>Refuse this login until <see cref="RevocationEvent.ExpiresAt"/>.</summary>
    LoginRevoked = 2,
}
