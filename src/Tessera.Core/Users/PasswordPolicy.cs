namespace Tessera.Core.Users;

/// <summary>
/// Django's default password validators (minimum length, not entirely numeric, not a common password,
/// not the username), with their messages, so registration refuses what Django would.
/// </summary>
public static class PasswordPolicy
{
    public const int MinimumLength = 8;

    public static IReadOnlyList<string> Check(string password, string? username)
    {
        var problems = new List<string>();
        if (password.Length < MinimumLength)
            problems.Add($"This password is too short. It must contain at least {MinimumLength} characters.");
        if (CommonPasswords.Contains(password.Trim()))
            problems.Add("This password is too common.");
        if (password.Length > 0 && password.All(char.IsAsciiDigit))
            problems.Add("This password is entirely numeric.");
        if (!string.IsNullOrEmpty(username) && username.Length >= 3
            && password.Contains(username, StringComparison.OrdinalIgnoreCase))
            problems.Add("The password is too similar to the username.");
        return problems;
    }

    // The head of the list Django ships (most common first); lower-cased, compared case-insensitively.
    private static readonly HashSet<string> CommonPasswords = new(StringComparer.OrdinalIgnoreCase)
    {
        "password", "12345678", "123456789", "1234567890", "qwertyuiop", "password1", "password123",
        "iloveyou", "sunshine", "princess", "football", "baseball", "welcome1", "welcome", "abc12345",
        "qwerty123", "1q2w3e4r", "11111111", "00000000", "123123123", "letmein1", "trustno1",
        "superman", "starwars", "passw0rd", "p@ssw0rd", "admin123", "administrator", "changeme",
        "whatever", "dragon123", "monkey123", "computer", "internet", "michelle", "jennifer",
        "basketball", "1qaz2wsx", "zaq12wsx", "asdfghjk", "asdfasdf", "qazwsxedc", "q1w2e3r4",
    };
}
