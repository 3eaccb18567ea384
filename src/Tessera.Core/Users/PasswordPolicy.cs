using System.Text;

namespace Tessera.Core.Users;

/// <summary>
/// What a new password must be, after NIST SP 800-63B §3.1.1.2 (and Django's validators, whose
/// messages it keeps): at least <see cref="PasswordPolicyOptions.MinimumLength"/> characters
/// (code points, as NIST and Django count them), long passphrases welcome up to
/// <see cref="PasswordPolicyOptions.MaximumBytes"/> (which only bounds what hashing costs), no
/// composition rules (no "must contain a digit", no "entirely numeric"), not one of the common and
/// breached passwords of <see cref="CommonPasswords"/> (case-insensitively), and not too like the
/// account's own username, email or names (<see cref="AttributeSimilarity"/>). Used by registration,
/// password change and password reset alike.
/// </summary>
public sealed class PasswordPolicy(PasswordPolicyOptions options)
{
    /// <summary>The policy with the default settings.</summary>
    public static PasswordPolicy Default { get; } = new(new PasswordPolicyOptions());

    public PasswordPolicyOptions Options { get; } = options ?? throw new ArgumentNullException(nameof(options));

    /// <summary>Every problem of the password, in Django's words; empty when it is acceptable.</summary>
    /// <param name="owner">The account's own attributes, which the password must not resemble.</param>
    public IReadOnlyList<string> Check(string password, PasswordOwner? owner = null)
    {
        ArgumentNullException.ThrowIfNull(password);
        var problems = new List<string>();
        var length = password.EnumerateRunes().Count();
        if (length < Options.MinimumLength)
            problems.Add(Options.MinimumLength == 1
                ? "This password is too short. It must contain at least 1 character."
                : $"This password is too short. It must contain at least {Options.MinimumLength} characters.");
        if (Encoding.UTF8.GetByteCount(password) > Options.MaximumBytes)
        {
            // Nothing else is worth computing over such an input.
            problems.Add($"This password is too long. It must contain at most {Options.MaximumBytes} bytes.");
            return problems;
        }
        if (Options.BlockCommonPasswords && CommonPasswords.Contains(password))
            problems.Add("This password is too common.");
        if (owner is not null && AttributeSimilarity.FirstSimilar(password, owner, Options.MaxSimilarity) is { } attribute)
            problems.Add($"The password is too similar to the {attribute}.");
        return problems;
    }
}

/// <summary>The attributes of an account that its password must not resemble, named as Django names them.</summary>
public sealed record PasswordOwner(string? Username, string? Email = null, string? FirstName = null, string? LastName = null)
{
    public static PasswordOwner Of(User user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return new PasswordOwner(user.Username, user.Email, user.FirstName, user.LastName);
    }

    /// <summary>Django's <c>UserAttributeSimilarityValidator.DEFAULT_USER_ATTRIBUTES</c>, with their verbose names.</summary>
    internal IEnumerable<(string VerboseName, string? Value)> Attributes()
    {
        yield return ("username", Username);
        yield return ("first name", FirstName);
        yield return ("last name", LastName);
        yield return ("email address", Email);
    }
}

/// <summary>Settings of <see cref="PasswordPolicy"/> (section <see cref="SectionName"/>).</summary>
public sealed class PasswordPolicyOptions
{
    public const string SectionName = "Tessera:PasswordPolicy";

    /// <summary>NIST's floor for a password chosen by its user is 8; raise it, never lower it below that without a reason.</summary>
    public int MinimumLength { get; set; } = 8;

    /// <summary>
    /// UTF-8 bytes at most: NIST asks that at least 64 characters be accepted; the bound only keeps
    /// one request from making the hash (and the similarity check) work on megabytes.
    /// </summary>
    public int MaximumBytes { get; set; } = 4096;

    /// <summary>Django's <c>max_similarity</c>: 0.7; at least 0.1 (below it, nearly every password is "similar").</summary>
    public double MaxSimilarity { get; set; } = 0.7;

    /// <summary>Refuse the passwords of the shipped list of common and breached passwords.</summary>
    public bool BlockCommonPasswords { get; set; } = true;

    public IEnumerable<string> Validate()
    {
        if (MinimumLength < 1)
            yield return $"{SectionName}:{nameof(MinimumLength)} must be at least 1 (NIST recommends 8 or more).";
        if (MaximumBytes < 64)
            yield return $"{SectionName}:{nameof(MaximumBytes)} must be at least 64: NIST asks that passwords of 64 characters be accepted.";
        if (MaximumBytes < MinimumLength)
            yield return $"{SectionName}:{nameof(MaximumBytes)} must not be below {nameof(MinimumLength)}.";
        if (!(MaxSimilarity >= 0.1 && MaxSimilarity <= 1.0))
            yield return $"{SectionName}:{nameof(MaxSimilarity)} must be between 0.1 and 1.0 (Django's default is 0.7).";
    }
}
