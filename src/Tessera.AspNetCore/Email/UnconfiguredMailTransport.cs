using Microsoft.Extensions.Logging;
using MimeKit;

namespace Tessera.AspNetCore.Email;

/// <summary>
/// Neither an SMTP host nor a pickup directory is configured: each message is dropped with a
/// warning that says which settings to set (and never what the message carried).
/// </summary>
internal sealed class UnconfiguredMailTransport(ILogger<UnconfiguredMailTransport> logger) : IMailTransport
{
    public Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        logger.LogWarning("A message to {Recipients} was dropped: no mail transport is configured (set {Host} or {Pickup})",
            message.To.Count, SmtpOptions.SectionName + ":Host", EmailOptions.SectionName + ":PickupDirectory");
        return Task.CompletedTask;
    }
}
