using System.Text;

namespace Tessera.Core.Users;

/// <summary>
/// One account per name, as Django's <c>AbstractBaseUser.normalize_username</c> and
/// <c>BaseUserManager.normalize_email</c>: usernames in Unicode NFKC, so that <c>jäger</c> typed
/// precomposed or decomposed, and fullwidth <c>ｒｏｏｔ</c>, are the names <c>jäger</c> and
/// <c>root</c>; emails with their domain lower-cased. Applied wherever a name enters: registration,
/// login, every lookup, the CLI, and once over existing rows at migration.
/// </summary>
public static class UserNormalization
{
    /// <summary>
    /// False when the runtime cannot normalize: an app built with <c>InvariantGlobalization</c>, where
    /// <see cref="string.Normalize(NormalizationForm)"/> silently returns non-ASCII text unchanged.
    /// </summary>
    public static bool IsAvailable { get; } = "\uFF41".Normalize(NormalizationForm.FormKC) == "a";

    public static string Username(string username)
    {
        if (Ascii.IsValid(username))
            return username; // NFKC leaves ASCII as it is: the common case costs no allocation
        if (!IsAvailable)
            throw new InvalidOperationException(
                "Unicode normalization is unavailable (the app runs with InvariantGlobalization): Tessera needs ICU (libicu) to keep look-alike usernames from becoming separate accounts.");
        try
        {
            return username.Normalize(NormalizationForm.FormKC);
        }
        catch (ArgumentException)
        {
            return username; // a lone surrogate: no valid name, the username rules refuse it
        }
    }

    /// <summary>
    /// Whether two addresses are one, as Django's password reset compares them (<c>email__iexact</c>):
    /// the stores ask SQL's <c>lower()</c> (ASCII only on SQLite); this is the final word.
    /// </summary>
    internal static bool SameAddress(string stored, string asked) => string.Equals(stored, asked, StringComparison.OrdinalIgnoreCase);

    /// <summary>Django's <c>normalize_email</c>: the part after the last <c>@</c> lower-cased, the rest as typed.</summary>
    public static string Email(string email)
    {
        var trimmed = email.Trim();
        var at = trimmed.LastIndexOf('@');
        if (at < 0)
            return email;
        return string.Concat(trimmed.AsSpan(0, at + 1), trimmed[(at + 1)..].ToLowerInvariant());
    }
}
