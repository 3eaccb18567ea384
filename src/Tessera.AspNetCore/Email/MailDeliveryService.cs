using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Tessera.AspNetCore.Email;

/// <summary>
/// Sends what <see cref="MailQueue"/> holds, one message at a time, through the configured
/// <see cref="IMailTransport"/>, and decides what a failure means for the messages behind it:
/// <list type="bullet">
/// <item>the transport failed (server down, timeout): the same message is tried again after
/// <see cref="EmailOptions.RetryDelay"/>, doubling up to <see cref="EmailOptions.MaxRetryDelay"/>,
/// and the others wait behind it (they would fail too), so none that the queue accepted is lost
/// while the server comes back within the attempts;</item>
/// <item>the server refused this message for good (<see cref="MailRejectedException.IsPermanent"/>:
/// no such mailbox): it is given up at once;</item>
/// <item>the server refused it for now (greylisting, a full mailbox): it is set aside and tried again
/// after the same doubling delay, and the others go meanwhile.</item>
/// </list>
/// So one address, whoever registered it, cannot hold everyone's mail. A message is tried at most
/// <see cref="EmailOptions.MaxAttempts"/> times. Each failure is logged with the message's
/// description and the error, never the message itself.
/// </summary>
internal sealed class MailDeliveryService(MailQueue queue, IMailTransport transport, IOptions<EmailOptions> options,
    TimeProvider time, ILogger<MailDeliveryService> logger, Metrics.TesseraMetrics? metrics = null) : BackgroundService
{
    // Messages refused for now, waiting for their next attempt; few (each is a refused address).
    private readonly List<Pending> _setAside = [];

    /// <summary>A message, the attempts it has had, the wait after its next failure, and when it may go.</summary>
    private sealed record Pending(OutgoingMail Mail, int Attempts, TimeSpan Delay, DateTimeOffset Due);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await NextAsync(stoppingToken).ConfigureAwait(false) is { } next)
                await DeliverAsync(next, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what is still queued is lost with the process (it is in memory only).
        }
    }

    /// <summary>The set-aside message that is due, else the queue's next, waiting for whichever comes first.</summary>
    private async Task<Pending?> NextAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        while (true)
        {
            var now = time.GetUtcNow();
            var due = _setAside.Count == 0 ? null : _setAside.MinBy(s => s.Due);
            if (due is not null && due.Due <= now)
            {
                _setAside.Remove(due);
                return due;
            }
            if (queue.Reader.TryRead(out var mail))
                return new Pending(mail, 0, settings.RetryDelay, now);
            if (due is null)
            {
                if (!await queue.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
                    return null;
                continue;
            }
            using var timer = new CancellationTokenSource(due.Due - now, time);
            using var wake = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timer.Token);
            try
            {
                if (!await queue.Reader.WaitToReadAsync(wake.Token).ConfigureAwait(false))
                    return null;
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // The set-aside message is due.
            }
        }
    }

    private async Task DeliverAsync(Pending next, CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var (mail, attempts, delay) = (next.Mail, next.Attempts, next.Delay);
        while (true)
        {
            attempts++;
            try
            {
                await transport.SendAsync(mail.Message, stoppingToken).ConfigureAwait(false);
                logger.LogDebug("Sent {Mail}", mail.Description);
                return;
            }
            catch (MailRejectedException e) when (e.IsPermanent && !stoppingToken.IsCancellationRequested)
            {
                metrics?.MailFailed(permanent: true);
                logger.LogError("{Mail} was refused by the mail server, and is given up: {Message}", mail.Description, e.Message);
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                metrics?.MailFailed(permanent: false);
                if (attempts >= settings.MaxAttempts)
                {
                    logger.LogError("{Mail} was not sent after {Attempts} attempts, and is given up: {Error}: {Message}",
                        mail.Description, attempts, e.GetType().Name, e.Message);
                    return;
                }
                logger.LogWarning("Sending {Mail} failed (attempt {Attempt} of {MaxAttempts}), trying again in {Delay}: {Error}: {Message}",
                    mail.Description, attempts, settings.MaxAttempts, delay, e.GetType().Name, e.Message);
                if (e is MailRejectedException)
                {
                    SetAsideFor(mail, attempts, delay, settings);
                    return;
                }
            }
            await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
            delay = Doubled(delay, settings);
        }
    }

    private void SetAsideFor(OutgoingMail mail, int attempts, TimeSpan delay, EmailOptions settings)
    {
        // Bounded like the queue: addresses that keep refusing must not pile up in memory.
        if (_setAside.Count >= settings.QueueCapacity)
        {
            logger.LogError("{Mail} is given up: {Count} refused messages already wait for another attempt", mail.Description, _setAside.Count);
            return;
        }
        _setAside.Add(new Pending(mail, attempts, Doubled(delay, settings), time.GetUtcNow() + delay));
    }

    private static TimeSpan Doubled(TimeSpan delay, EmailOptions settings)
        => TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, settings.MaxRetryDelay.Ticks));
}
