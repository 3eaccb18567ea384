using MimeKit;

namespace Tessera.AspNetCore.Email;

/// <summary>
/// Where a message goes: an SMTP server, a pickup directory, or an app's own. Throws when the
/// message did not go: <see cref="MailRejectedException"/> when the server refused this message,
/// anything else when the transport failed; <see cref="MailDeliveryService"/> decides what next.
/// </summary>
public interface IMailTransport
{
    Task SendAsync(MimeMessage message, CancellationToken cancellationToken);
}
