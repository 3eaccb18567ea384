using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using Tessera.AspNetCore.Hosting;

namespace Tessera.AspNetCore.Email;

/// <summary>A message waiting to go out, and how the logs name it (never by what it carries: it may hold a token).</summary>
/// <param name="Description">For the logs, e.g. "password reset for user 42".</param>
public sealed record OutgoingMail(MimeMessage Message, string Description);

/// <summary>
/// The bounded queue between whoever composes mail and <see cref="MailDeliveryService"/>, which
/// sends it: a request never waits for SMTP. When it is full (<see cref="EmailOptions.QueueCapacity"/>,
/// SMTP down for long, or a flood), a new message is dropped and a warning logged: what asked for it
/// answers as always, and its user may ask again later.
/// </summary>
internal sealed class MailQueue(IOptions<EmailOptions> options, ILogger<MailQueue> logger)
    : BoundedQueue<OutgoingMail>((options ?? throw new ArgumentNullException(nameof(options))).Value.QueueCapacity, logger)
{
    protected override string QueueName => "mail queue";

    protected override string Describe(OutgoingMail item) => item.Description;
}
