using System.Net;
using Microsoft.Extensions.Options;
using MimeKit;
using Tessera.AspNetCore.Email;
using Tessera.Core.Users;

namespace Tessera.AspNetCore.AccountRecovery;

/// <summary>
/// The account mails, in plain text and HTML: each that carries a token carries it only inside its
/// link (<see cref="EmailOptions.Link"/>, whose query has <c>token=</c>), and each says what to do if
/// the reader did not ask for it.
/// </summary>
internal sealed class AccountMessages(IOptions<EmailOptions> options)
{
    public MimeMessage PasswordReset(User user, string token, TimeSpan lifetime)
    {
        var settings = options.Value;
        var link = settings.Link(settings.PasswordResetPath, token);
        return Compose(user, user.Email, $"Reset your {settings.SiteName} password",
            $"Someone asked to reset the password of the {settings.SiteName} account \"{user.Username}\". To choose a new password, open this link within {Describe(lifetime)}:",
            link,
            "If you did not ask for this, ignore this message: your password stays as it is. The link works once.");
    }

    public MimeMessage EmailVerification(User user, string token, TimeSpan lifetime)
    {
        var settings = options.Value;
        var link = settings.Link(settings.EmailVerificationPath, token);
        return Compose(user, user.Email, $"Confirm your email for {settings.SiteName}",
            $"To confirm that this address belongs to the {settings.SiteName} account \"{user.Username}\", open this link within {Describe(lifetime)}:",
            link,
            "If you did not ask for this, ignore this message. The link works once.");
    }

    /// <summary>
    /// To the address an email change replaced: no link and not the new address (which may be a
    /// thief's, or a typo), only that it happened and what to do if the reader did not do it.
    /// </summary>
    public MimeMessage EmailChanged(User user, string previousEmail)
    {
        var settings = options.Value;
        return Compose(user, previousEmail, $"Your {settings.SiteName} email address was changed",
            $"The email address of the {settings.SiteName} account \"{user.Username}\" was changed: this address no longer receives its mail, and its password can no longer be reset from here.",
            link: null,
            "If you did not make this change, someone else may be signed in as you: sign in, change your password (which ends every other login) and set your email address back, or contact the site's support.");
    }

    private MimeMessage Compose(User user, string to, string subject, string lead, string? link, string footer)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(options.Value.Smtp.From));
        message.To.Add(new MailboxAddress(user.Username, to));
        message.Subject = subject;
        var body = new BodyBuilder
        {
            TextBody = link is null ? $"{lead}\n\n{footer}\n" : $"{lead}\n\n{link}\n\n{footer}\n",
            HtmlBody = $"<!DOCTYPE html>\n<html><body>\n<p>{WebUtility.HtmlEncode(lead)}</p>\n"
                       + (link is null ? "" : $"<p><a href=\"{WebUtility.HtmlEncode(link)}\">{WebUtility.HtmlEncode(link)}</a></p>\n")
                       + $"<p>{WebUtility.HtmlEncode(footer)}</p>\n</body></html>\n",
        };
        message.Body = body.ToMessageBody();
        return message;
    }

    private static string Describe(TimeSpan lifetime)
        => lifetime.TotalHours is var hours && hours >= 1 && hours == Math.Floor(hours)
            ? hours == 1 ? "one hour" : $"{hours:0} hours"
            : $"{Math.Max(1, (int)lifetime.TotalMinutes)} minutes";
}
