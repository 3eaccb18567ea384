using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Tessera.AspNetCore.Email;

/// <summary>SMTP through MailKit: one connection per message (account mail is rare), TLS as configured, never downgraded.</summary>
internal sealed class SmtpMailTransport(IOptions<EmailOptions> options) : IMailTransport
{
    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var smtp = options.Value.Smtp;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(smtp.Timeout);
        using var client = new SmtpClient { Timeout = (int)Math.Min(int.MaxValue, smtp.Timeout.TotalMilliseconds) };
        var security = !smtp.UseTls ? SecureSocketOptions.None
            : smtp.Port == 465 ? SecureSocketOptions.SslOnConnect
            : SecureSocketOptions.StartTls;
        await client.ConnectAsync(smtp.Host ?? throw new InvalidOperationException("Tessera:Email:Smtp:Host is not set."), smtp.Port, security, timeout.Token).ConfigureAwait(false);
        if (!string.IsNullOrEmpty(smtp.UserName))
            await client.AuthenticateAsync(smtp.UserName, smtp.Password ?? "", timeout.Token).ConfigureAwait(false);
        try
        {
            await client.SendAsync(message, timeout.Token).ConfigureAwait(false);
        }
        catch (SmtpCommandException e) when (e.ErrorCode is SmtpErrorCode.RecipientNotAccepted or SmtpErrorCode.MessageNotAccepted
            && e.StatusCode != SmtpStatusCode.ServiceNotAvailable)
        {
            // This message's recipient or content, not the server: 5xx is final, 4xx is "later".
            // A refused sender (SenderNotAccepted) is the server's configuration and 421 its going
            // away: those stay failures of the transport, which every message would meet.
            throw new MailRejectedException($"The mail server refused the message: {(int)e.StatusCode} {e.Message}",
                isPermanent: (int)e.StatusCode >= 500, e);
        }
        await client.DisconnectAsync(quit: true, timeout.Token).ConfigureAwait(false);
    }
}
