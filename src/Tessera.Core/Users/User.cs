namespace Tessera.Core.Users;

/// <summary>
/// A user account with the fields of Django's <c>auth.User</c>, so that a Django user table can be
/// imported unchanged. An app with fields of its own (Django's <c>AUTH_USER_MODEL</c>) derives from
/// it, as from ASP.NET Core Identity's <c>IdentityUser</c>, maps it with
/// <c>TesseraDbContext&lt;TUser&gt;</c>, and overrides <see cref="ToSnapshot"/> to put in the
/// snapshot what its admission rules and policies read (roles).
/// </summary>
public class User
{
    public const int UsernameMaxLength = 150;
    public const int EmailMaxLength = 254;
    public const int NameMaxLength = 150;
    public const int PasswordHashMaxLength = 128;

    public long Id { get; set; }
    public string Username { get; set; } = "";
    public string Email { get; set; } = "";
    /// <summary>Django's encoded form (<c>pbkdf2_sha256$iterations$salt$hash</c>); "!" means no usable password.</summary>
    public string PasswordHash { get; set; } = "!";
    public string FirstName { get; set; } = "";
    public string LastName { get; set; } = "";
    public bool IsActive { get; set; } = true;
    public bool IsStaff { get; set; }
    public bool IsSuperuser { get; set; }
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
    /// <summary>
    /// Whether the owner of <see cref="Email"/> proved it (an email-verification link): set by the
    /// verification, cleared whenever the email changes. Not one of Django's fields; imported users
    /// start unverified.
    /// </summary>
    public bool EmailVerified { get; set; }
    /// <summary>
    /// Whether <see cref="Email"/> was set by an email change (or by an external sign-in whose provider
    /// did not verify it) and not verified since: such an address is whatever the signed-in caller typed,
    /// so it receives no password reset until its owner proves it (set by the change, cleared with
    /// <see cref="EmailVerified"/>'s verification). An address an
    /// account was created with gets its reset unverified, as in Django.
    /// </summary>
    public bool EmailChangeUnverified { get; set; }

    /// <summary>
    /// Whether a password reset may be mailed to <see cref="Email"/>: proven, or the account's own
    /// from its creation (not one an email change set and nobody verified).
    /// </summary>
    public bool EmailMayReceiveReset => EmailVerified || !EmailChangeUnverified;

    /// <summary>Django's <c>has_usable_password</c>: false for an account made without one ("!…").</summary>
    public bool HasUsablePassword => !Passwords.DjangoPbkdf2Hasher.IsUnusablePassword(PasswordHash);

    /// <summary>
    /// What the gate keeps of the user in memory. An app's user adds its roles:
    /// <c>base.ToSnapshot() with { Roles = IsPremium ? ["premium"] : [] }</c>.
    /// </summary>
    public virtual UserSnapshot ToSnapshot() => new(Id, Username, Email, IsActive, IsStaff, IsSuperuser, RevokedBefore, RevocationEpoch, EmailVerified);
}
