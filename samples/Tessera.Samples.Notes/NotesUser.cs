using Tessera.Core.Users;

namespace Notes;

/// <summary>The app's user (Django's AUTH_USER_MODEL): Tessera's fields plus one of its own.</summary>
public sealed class NotesUser : User
{
    public const string VerifiedRole = "email_verified";
    private static readonly IReadOnlySet<string> Verified = new HashSet<string> { VerifiedRole };

    /// <summary>Set at registration, shown in the profile, carried as a token claim.</summary>
    public string Department { get; set; } = "";

    // What the gate keeps in memory: the rule below reads the role (from Tessera's EmailVerified,
    // which a verification link or an administrator sets), and follows a change at once.
    public override UserSnapshot ToSnapshot() => EmailVerified ? base.ToSnapshot() with { Roles = Verified } : base.ToSnapshot();
}
