namespace Tessera.Core.Jwt;

/// <summary>
/// What the logins of <see cref="JwtLoginService"/> and the changes of <see cref="Revocation.AdmissionChanges"/>
/// tell the app (the web layer routes it to its events and its log).
/// </summary>
public interface ILoginEvents
{
    /// <summary>A new login's tokens are about to be minted: add or remove custom claims.</summary>
    ValueTask TokenIssuingAsync(TokenIssuingContext context, CancellationToken cancellationToken);

    /// <summary>A rotated refresh token came back after the reuse grace: treated as stolen, its login was revoked.</summary>
    ValueTask RefreshTokenReusedAsync(long? userId, string? loginId, CancellationToken cancellationToken);

    /// <summary>
    /// Logins were revoked, once per change, on the instance that made it: one login
    /// (<paramref name="loginId"/>), or every login of the user (null). <paramref name="reason"/> is one
    /// of <see cref="Revocation.LoginRevocationReasons"/>.
    /// </summary>
    ValueTask LoginRevokedAsync(long? userId, string? loginId, string reason, CancellationToken cancellationToken);

    /// <summary>
    /// A security event was written to the audit trail with its change, once the change committed (never
    /// for one rolled back): the web layer writes its log line. Nothing by default.
    /// </summary>
    ValueTask AuditedAsync(Audit.AuditEvent e, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
