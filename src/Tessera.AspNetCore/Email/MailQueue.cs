using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

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
public sealed class MailQueue
{
    private readonly Channel<OutgoingMail> _channel;
    private readonly ILogger<MailQueue> _logger;
    private readonly int _capacity;

    public MailQueue(IOptions<EmailOptions> options, ILogger<MailQueue> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _capacity = options.Value.QueueCapacity;
        _logger = logger;
        _channel = Channel.CreateBounded<OutgoingMail>(new BoundedChannelOptions(_capacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then answers false instead of dropping an older one
            SingleReader = true,
        });
    }

    /// <summary>Queues the message; false (and a warning) when the queue is full and it was dropped.</summary>
    public bool TryEnqueue(OutgoingMail mail)
    {
        ArgumentNullException.ThrowIfNull(mail);
        if (_channel.Writer.TryWrite(mail))
            return true;
        _logger.LogWarning("The mail queue is full ({Capacity} messages waiting): {Mail} was dropped", _capacity, mail.Description);
        return false;
    }

    internal ChannelReader<OutgoingMail> Reader => _channel.Reader;
}
