namespace Tessera.Core.Users;

/// <summary>What the admission gate needs to know of a user on every request: nothing secret, nothing large.</summary>
/// <param name="RevokedBeforeMs">
/// "Log out everywhere" (revoke-all, password change) for credentials that carry no epoch (tokens
/// signed by another SimpleJWT service): those issued before this instant (unix milliseconds) are
/// refused. Null when the user never did.
/// </param>
/// <param name="RevocationEpoch">
/// The user's revocation epoch: a credential checked against an earlier one (a password check that
/// read the state before a password change, revoke-all or deactivation committed) is refused. A
/// counter rather than a time, so no clock and no commit order can let a racing login slip past it.
/// </param>
/// <param name="EmailVerified">
/// Whether the user proved their email; with <c>Tessera:Auth:RequireVerifiedEmail</c> the gate
/// refuses every credential of a user whose email is not (so a change of email stops them at once).
/// </param>
public sealed record UserSnapshot(
    long Id,
    string Username,
    string Email,
    bool IsActive,
    bool IsStaff,
    bool IsSuperuser,
    long? RevokedBeforeMs = null,
    long RevocationEpoch = 0,
    bool EmailVerified = false)
{
    private static readonly IReadOnlySet<string> NoRoles = new HashSet<string>();

    /// <summary>
    /// The app's own roles (beyond staff and superuser), from its user type's
    /// <see cref="User.ToSnapshot"/>: authorization policies require them, admission rules read them,
    /// and a change applies on the very next request.
    /// </summary>
    public IReadOnlySet<string> Roles { get; init; } = NoRoles;

    // Records compare sets by reference; two snapshots of one state are equal.
    public bool Equals(UserSnapshot? other)
        => other is not null && Id == other.Id && Username == other.Username && Email == other.Email && IsActive == other.IsActive
           && IsStaff == other.IsStaff && IsSuperuser == other.IsSuperuser && RevokedBeforeMs == other.RevokedBeforeMs
           && RevocationEpoch == other.RevocationEpoch && EmailVerified == other.EmailVerified && Roles.SetEquals(other.Roles);

    public override int GetHashCode() => HashCode.Combine(Id, Username, RevocationEpoch);
}
