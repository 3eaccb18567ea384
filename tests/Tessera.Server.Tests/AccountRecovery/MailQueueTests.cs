using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using Tessera.AspNetCore.AccountRecovery;
using Tessera.AspNetCore.Email;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.AccountRecovery;

/// <summary>What a full queue does: the new message (or request) is dropped with a warning that names it, not what it carries.</summary>
public sealed class MailQueueTests
{
    private static readonly IOptions<EmailOptions> TwoSlots = Options.Create(new EmailOptions { QueueCapacity = 2 });

    [Fact]
    public void A_full_mail_queue_drops_the_new_message_and_logs_it_without_its_content()
    {
        var logs = new LogCapture();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        var queue = new MailQueue(TwoSlots, factory.CreateLogger<MailQueue>());
        OutgoingMail Mail(int user)
        {
            var message = new MimeMessage { Subject = "Reset" };
            message.To.Add(MailboxAddress.Parse("a@example.com"));
            message.Body = new TextPart("plain") { Text = "https://x/?token=secret-token-value" };
            return new OutgoingMail(message, $"password reset mail for user {user}");
        }

        Assert.True(queue.TryEnqueue(Mail(1)));
        Assert.True(queue.TryEnqueue(Mail(2)));
        Assert.False(queue.TryEnqueue(Mail(3)));

        var warning = Assert.Single(logs.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("password reset mail for user 3", warning.Message);
        Assert.DoesNotContain("secret-token-value", warning.Message);
    }

    [Fact]
    public void A_full_request_queue_drops_the_new_request()
    {
        var logs = new LogCapture();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        var requests = new AccountMailRequests(TwoSlots, factory.CreateLogger<AccountMailRequests>());

        Assert.True(requests.TryEnqueue(new PasswordResetRequested("a@example.com")));
        Assert.True(requests.TryEnqueue(new VerificationRequested(7, "c@example.com")));
        Assert.False(requests.TryEnqueue(new PasswordResetRequested("b@example.com")));
        Assert.Single(logs.Entries, e => e.Level == LogLevel.Warning);
    }
}
