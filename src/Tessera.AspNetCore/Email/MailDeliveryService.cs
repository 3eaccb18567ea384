using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Tessera.AspNetCore.Email;

/// <summary>
/// Sends what <see cref="MailQueue"/> holds, one message at a time, through the configured
/// <see cref="IMailTransport"/>. A failure is retried after <see cref="EmailOptions.RetryDelay"/>,
/// doubling up to <see cref="EmailOptions.MaxRetryDelay"/>, until <see cref="EmailOptions.MaxAttempts"/>;
/// later messages wait behind it (when the server is down they would fail too), so none that the
/// queue accepted is lost while the server comes back within the attempts. Each failure is logged
/// with the message's description and the error, never the message itself.
/// </summary>
public sealed class MailDeliveryService(MailQueue queue, IMailTransport transport, IOptions<EmailOptions> options,
    TimeProvider time, ILogger<MailDeliveryService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var mail in queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
                await DeliverAsync(mail, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what is still queued is lost with the process (it is in memory only).
        }
    }

    private async Task DeliverAsync(OutgoingMail mail, CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var delay = settings.RetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await transport.SendAsync(mail.Message, stoppingToken).ConfigureAwait(false);
                logger.LogDebug("Sent {Mail}", mail.Description);
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                if (attempt >= settings.MaxAttempts)
                {
                    logger.LogError("{Mail} was not sent after {Attempts} attempts, and is given up: {Error}: {Message}",
                        mail.Description, attempt, e.GetType().Name, e.Message);
                    return;
                }
                logger.LogWarning("Sending {Mail} failed (attempt {Attempt} of {MaxAttempts}), trying again in {Delay}: {Error}: {Message}",
                    mail.Description, attempt, settings.MaxAttempts, delay, e.GetType().Name, e.Message);
            }
            await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, settings.MaxRetryDelay.Ticks));
        }
    }
}
