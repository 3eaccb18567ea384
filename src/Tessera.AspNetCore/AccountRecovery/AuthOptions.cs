namespace Tessera.AspNetCore.AccountRecovery;

/// <summary>
/// Account verification and recovery (section <see cref="SectionName"/>): whether an unverified
/// email keeps a user out, how long purpose tokens live, and their secret.
/// </summary>
public sealed class AuthOptions
{
    public const string SectionName = "Tessera:Auth";

    /// <summary>
    /// When true, a user whose email is not verified obtains no tokens and no session (401
    /// <c>{"detail": "Email not verified."}</c>), and every credential already issued stops on its
    /// next request once the email becomes unverified (an email change). Needs account recovery
    /// (<c>AddAccountRecovery</c>): registration then mails a verification link instead of a pair.
    /// </summary>
    public bool RequireVerifiedEmail { get; set; }

    /// <summary>How long a password-reset link works (Django: PASSWORD_RESET_TIMEOUT; the seeds: one hour).</summary>
    public TimeSpan PasswordResetTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long an email-verification link works (the seeds: 24 hours).</summary>
    public TimeSpan EmailVerificationTokenLifetime { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// The secret purpose tokens are derived from (HKDF, one key per purpose), at least 32 bytes, the
    /// same on every instance of the deployment. Unset, it is derived from <c>Tessera:Jwt:SigningKey</c>.
    /// A configuration secret rather than a database row: a leaked database backup must not let
    /// anyone mint password resets.
    /// </summary>
    public string? TokenSecret { get; set; }

    public IEnumerable<string> Validate(bool hasAccountRecovery, bool hasJwt)
    {
        if (PasswordResetTokenLifetime <= TimeSpan.Zero || PasswordResetTokenLifetime > TimeSpan.FromDays(7))
            yield return $"{SectionName}:{nameof(PasswordResetTokenLifetime)} must be positive and at most 7 days.";
        if (EmailVerificationTokenLifetime <= TimeSpan.Zero || EmailVerificationTokenLifetime > TimeSpan.FromDays(30))
            yield return $"{SectionName}:{nameof(EmailVerificationTokenLifetime)} must be positive and at most 30 days.";
        if (RequireVerifiedEmail && !hasAccountRecovery)
            yield return $"{SectionName}:{nameof(RequireVerifiedEmail)} needs account recovery (AddAccountRecovery): without it no email could ever be verified.";
        if (TokenSecret is { } secret && System.Text.Encoding.UTF8.GetByteCount(secret) < Core.PurposeTokens.PurposeTokenService.MinimumSecretBytes)
            yield return $"{SectionName}:{nameof(TokenSecret)} must be at least {Core.PurposeTokens.PurposeTokenService.MinimumSecretBytes} bytes.";
        if (hasAccountRecovery && TokenSecret is null && !hasJwt)
            yield return $"{SectionName}:{nameof(TokenSecret)} is required for account recovery when JWTs are not added (it is derived from Tessera:Jwt:SigningKey otherwise).";
    }
}
