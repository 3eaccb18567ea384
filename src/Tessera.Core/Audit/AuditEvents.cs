namespace Tessera.Core.Audit;

/// <summary>The audit trail's event names: OWASP's application logging vocabulary.</summary>
public static class AuditEvents
{
    public const string LoginSuccess = "authn_login_success";
    public const string LoginFail = "authn_login_fail";
    /// <summary>Login protection refused an attempt (a 429): the account or address is locked for a while.</summary>
    public const string LoginLock = "authn_login_lock";
    public const string PasswordChange = "authn_password_change";
    public const string TokenCreated = "authn_token_created";
    public const string TokenRevoked = "authn_token_revoked";
    public const string TokenReuse = "authn_token_reuse";
    public const string SessionCreated = "session_created";
    public const string UserCreated = "user_created";
    public const string UserUpdated = "user_updated";
    public const string UserDeactivated = "user_deactivated";
    public const string UserDeleted = "user_deleted";
    public const string ExternalLink = "authn_external_link";
    /// <summary>An operator retired a signing key (a compromised one): every token it signed is refused.</summary>
    public const string SigningKeyRetired = "authn_signing_key_retired";
}
