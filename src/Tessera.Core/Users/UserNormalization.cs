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
    public static string Username(string username)
    {
        if (Ascii.IsValid(username))
            return username; // NFKC leaves ASCII as it is: the common case costs no allocation
        try
        {
            return username.Normalize(NormalizationForm.FormKC);
        }
        catch (ArgumentException)
        {
            return username; // a lone surrogate: no valid name, the username rules refuse it
        }
    }

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
