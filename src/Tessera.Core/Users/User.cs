namespace Tessera.Core.Users;

/// <summary>
/// A user account, with the fields of Django's <c>auth.User</c> plus the sample app's profile fields,
/// so that a Django user table can be imported unchanged.
/// </summary>
public sealed class User
{
    public const int UsernameMaxLength = 150;
    public const int EmailMaxLength = 254;
    public const int NameMaxLength = 150;
    public const int PasswordHashMaxLength = 128;
    public const int PhoneNumberMaxLength = 32;

    public long Id { get; set; }
    public required string Username { get; set; }
    public string Email { get; set; } = "";
    /// <summary>Django's encoded form (<c>pbkdf2_sha256$iterations$salt$hash</c>); "!" means no usable password.</summary>
    public string PasswordHash { get; set; } = "!";
    public string FirstName { get; set; } = "";
    public string LastName { get; set; } = "";
    public string? PhoneNumber { get; set; }
    public DateOnly? DateOfBirth { get; set; }
    public bool IsActive { get; set; } = true;
    public bool IsStaff { get; set; }
    public bool IsSuperuser { get; set; }
    public bool IsPremium { get; set; }
    public DateTime? LastLogin { get; set; }
    public DateTime DateJoined { get; set; }
    /// <summary>Unix milliseconds: foreign tokens issued before it are revoked (see <see cref="UserSnapshot.RevokedBeforeMs"/>).</summary>
    public long? RevokedBefore { get; set; }
    /// <summary>
    /// Moves on (by one, in the same write) whenever every login of the user must end: password
    /// change, revoke-all, deactivation. Each credential carries the epoch its password check read;
    /// one from an earlier epoch is refused (see <see cref="UserSnapshot.RevocationEpoch"/>).
    /// </summary>
    public long RevocationEpoch { get; set; }

    public UserSnapshot ToSnapshot() => new(Id, Username, Email, IsActive, IsStaff, IsSuperuser, IsPremium, RevokedBefore, RevocationEpoch);
}
