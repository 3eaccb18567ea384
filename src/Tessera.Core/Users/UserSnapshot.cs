namespace Tessera.Core.Users;

/// <summary>What the admission gate needs to know of a user on every request: nothing secret, nothing large.</summary>
public sealed record UserSnapshot(
    long Id,
    string Username,
    string Email,
    bool IsActive,
    bool IsStaff,
    bool IsSuperuser,
    bool IsPremium);
