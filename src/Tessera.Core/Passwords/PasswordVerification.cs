namespace Tessera.Core.Passwords;

/// <summary>Outcome of checking a password against a stored encoding.</summary>
/// <remarks>
/// <see cref="Failed"/> is the default value on purpose: an uninitialised result fails closed.
/// </remarks>
public enum PasswordVerification
{
    /// <summary>Wrong password, or the stored encoding is unusable, malformed or unsupported.</summary>
    Failed = 0,

    /// <summary>The password matches and the stored encoding is up to date.</summary>
    Success = 1,

    /// <summary>
    /// The password matches, but the stored encoding is weaker than what we would produce now
    /// (fewer iterations, short salt, legacy algorithm): the caller should store
    /// <see cref="DjangoPbkdf2Hasher.Hash"/> of the password (Django's <c>must_update</c>).
    /// </summary>
    SuccessRehashNeeded = 2,
}

/// <summary>Helpers for <see cref="PasswordVerification"/>.</summary>
internal static class PasswordVerificationExtensions
{
    /// <summary>True for <see cref="PasswordVerification.Success"/> and <see cref="PasswordVerification.SuccessRehashNeeded"/>.</summary>
    public static bool Succeeded(this PasswordVerification verification) =>
        verification is PasswordVerification.Success or PasswordVerification.SuccessRehashNeeded;
}
