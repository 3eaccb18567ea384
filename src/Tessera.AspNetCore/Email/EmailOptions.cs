using MimeKit;

namespace Tessera.AspNetCore.Email;

/// <summary>
/// How mail goes out (section <see cref="SectionName"/>): through SMTP (<see cref="Smtp"/>), or,
/// with <see cref="PickupDirectory"/> set (development, tests), as one <c>.eml</c> file per message
/// there instead. Messages are sent off the request path from a bounded queue, with retries.
/// </summary>
public sealed class EmailOptions
{
    public const string SectionName = "Tessera:Email";

    /// <summary>When set, every message is written here as an RFC 5322 <c>.eml</c> file instead of being sent.</summary>
    public string? PickupDirectory { get; set; }

    /// <summary>
    /// The start of the links in account mail (the app's pages that take the token), e.g.
    /// <c>https://app.example.com/</c>; a link is this, then <see cref="PasswordResetPath"/> or
    /// <see cref="EmailVerificationPath"/>, then <c>?token=…</c>.
    /// </summary>
    public string LinkBaseUrl { get; set; } = "http://localhost:8000/";

    /// <summary>Where, under <see cref="LinkBaseUrl"/>, the page that sets a new password is.</summary>
    public string PasswordResetPath { get; set; } = "password/reset/confirm/";

    /// <summary>Where, under <see cref="LinkBaseUrl"/>, the page that confirms an email is.</summary>
    public string EmailVerificationPath { get; set; } = "email/verify/confirm/";

    /// <summary>The name the messages sign with ("… for your Tessera account").</summary>
    public string SiteName { get; set; } = "Tessera";

    public SmtpOptions Smtp { get; set; } = new();

    /// <summary>
    /// Messages waiting to be sent, at most. When the queue is full a new message is dropped and
    /// logged (never its token); the request that asked for it answers as always.
    /// </summary>
    public int QueueCapacity { get; set; } = 1000;

    /// <summary>Tries per message before it is given up (and logged as lost).</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>The wait after the first failure; each further failure doubles it, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The link for a token: <see cref="LinkBaseUrl"/> + <paramref name="path"/> + <c>?token=</c> + the token, escaped.</summary>
    public string Link(string path, string token)
    {
        var baseUrl = LinkBaseUrl.EndsWith('/') ? LinkBaseUrl : LinkBaseUrl + "/";
        var separator = path.Contains('?', StringComparison.Ordinal) ? "&" : "?";
        return baseUrl + path.TrimStart('/') + separator + "token=" + Uri.EscapeDataString(token);
    }

    public IEnumerable<string> Validate()
    {
        if (!Uri.TryCreate(LinkBaseUrl, UriKind.Absolute, out var link) || (link.Scheme != Uri.UriSchemeHttp && link.Scheme != Uri.UriSchemeHttps))
            yield return $"{SectionName}:{nameof(LinkBaseUrl)} must be an absolute http or https URL (the app's page for the links), not \"{LinkBaseUrl}\".";
        if (string.IsNullOrWhiteSpace(SiteName))
            yield return $"{SectionName}:{nameof(SiteName)} must not be empty.";
        if (QueueCapacity < 1)
            yield return $"{SectionName}:{nameof(QueueCapacity)} must be at least 1.";
        if (MaxAttempts < 1)
            yield return $"{SectionName}:{nameof(MaxAttempts)} must be at least 1.";
        if (RetryDelay <= TimeSpan.Zero || MaxRetryDelay < RetryDelay)
            yield return $"{SectionName}:{nameof(RetryDelay)} must be positive and at most {nameof(MaxRetryDelay)}.";
        if (!string.IsNullOrEmpty(PickupDirectory) && PickupDirectory.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
            yield return $"{SectionName}:{nameof(PickupDirectory)} is not a valid path.";
        foreach (var problem in Smtp.Validate())
            yield return problem;
    }
}

/// <summary>The SMTP server (section <c>Tessera:Email:Smtp</c>), used unless <see cref="EmailOptions.PickupDirectory"/> is set.</summary>
public sealed class SmtpOptions
{
    public const string SectionName = EmailOptions.SectionName + ":Smtp";

    /// <summary>The server's host name; without it (and without a pickup directory) no mail goes out, and each message is logged as dropped.</summary>
    public string? Host { get; set; }

    /// <summary>587 (submission, STARTTLS) by default; 465 is TLS from the first byte; 25 for a local relay.</summary>
    public int Port { get; set; } = 587;

    /// <summary>Sign in with these when set.</summary>
    public string? UserName { get; set; }

    public string? Password { get; set; }

    /// <summary>TLS: STARTTLS, or TLS from the start on port 465; required when true (no silent downgrade). False sends in the clear (a local relay).</summary>
    public bool UseTls { get; set; } = true;

    /// <summary>The sender, an address or <c>Name &lt;address&gt;</c>.</summary>
    public string From { get; set; } = "Tessera <noreply@localhost>";

    /// <summary>How long one connection and send may take.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<string> Validate()
    {
        if (Port is < 1 or > 65535)
            yield return $"{SectionName}:{nameof(Port)} must be between 1 and 65535.";
        if (!MailboxAddress.TryParse(From, out var from) || !from.Address.Contains('@', StringComparison.Ordinal))
            yield return $"{SectionName}:{nameof(From)} is not an email address: \"{From}\".";
        if (string.IsNullOrEmpty(UserName) != string.IsNullOrEmpty(Password))
            yield return $"{SectionName}:{nameof(UserName)} and {nameof(Password)} go together: set both or neither.";
        if (Timeout <= TimeSpan.Zero)
            yield return $"{SectionName}:{nameof(Timeout)} must be positive.";
    }
}
