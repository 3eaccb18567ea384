namespace Tessera.Core.Revocation;

/// <summary>
/// Why logins were revoked, as <see cref="AdmissionChanges"/> tells the app (<c>OnLoginRevoked</c>'s
/// <c>Reason</c>). One notification per change: a change that ends every login of a user (revoke-all,
/// password change or reset, deactivation, deletion) names no login.
/// </summary>
public static class LoginRevocationReasons
{
    /// <summary>A JWT login logged out: its refresh token blacklisted (SimpleJWT's blacklist view).</summary>
    public const string Logout = "logout";

    /// <summary>A rotated refresh token came back after the reuse grace: the login is taken for stolen.</summary>
    public const string Reuse = "reuse";

    /// <summary>A session ended: session logout, a new session login in its place, or <c>SignOutAsync</c>.</summary>
    public const string SessionLogout = "session_logout";

    /// <summary>A DRF token deleted by its owner (one notification per token).</summary>
    public const string TokenDeleted = "token_deleted";

    /// <summary>An API key deleted by its owner.</summary>
    public const string ApiKeyDeleted = "api_key_deleted";

    /// <summary>The user logged out everywhere (or an administrator did it for them).</summary>
    public const string RevokeAll = "revoke_all";

    /// <summary>The user changed their password: every earlier login ends.</summary>
    public const string PasswordChange = "password_change";

    /// <summary>The password was reset by an emailed link: every earlier login ends.</summary>
    public const string PasswordReset = "password_reset";

    /// <summary>The user was deactivated: every login ends, API keys included, for good.</summary>
    public const string Deactivation = "deactivation";

    /// <summary>The user was deleted, and what was theirs with them.</summary>
    public const string UserDeleted = "user_deleted";

    /// <summary>A JWT login ended by its owner from the list of logins (<c>DELETE /api/account/logins/&lt;id&gt;/</c>).</summary>
    public const string LoginDeleted = "login_deleted";
}
