namespace Tessera.Core.PurposeTokens;

/// <summary>What a purpose token may do: one purpose each, never the other's, never a login.</summary>
public enum TokenPurpose
{
    /// <summary>Set a new password (<c>/api/password/reset/confirm/</c>); dies when the password changes.</summary>
    PasswordReset,

    /// <summary>Prove the account's email (<c>/api/email/verify/confirm/</c>); dies when the email changes or is verified.</summary>
    EmailVerification,
}
