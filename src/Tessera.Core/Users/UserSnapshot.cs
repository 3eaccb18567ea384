namespace Tessera.Core.Users;

/// <summary>What the admission gate needs to know of a user on every request: nothing secret, nothing large.</summary>
/// <param name="RevokedBeforeMs">
/// "Log out everywhere" (revoke-all, password change): every login made before this instant (unix
/// milliseconds) is refused. Null when the user never did.
/// </param>
public sealed record UserSnapshot(
    long Id,
    string Username,
    string Email,
    bool IsActive,
    bool IsStaff,
    bool IsSuperuser,
    bool IsPremium,
    long? RevokedBeforeMs = null);
