using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.AccountRecovery;

/// <summary>The SMTP path, against a small SMTP server of the test's own on loopback: delivered, and not lost while it is down.</summary>
public sealed class SmtpDeliveryTests : IAsyncLifetime
{
    private readonly TinySmtpServer _smtp = new(TinySmtpServer.FreePort());
    private readonly TesseraServer _server = new();
    private readonly LogCapture _logs = new();

    public Task InitializeAsync()
    {
        _server.Settings["Tessera:Email:PickupDirectory"] = "";
        _server.Settings["Tessera:Email:Smtp:Host"] = "127.0.0.1";
        _server.Settings["Tessera:Email:Smtp:Port"] = _smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _server.Settings["Tessera:Email:Smtp:UseTls"] = "false";
        _server.Settings["Tessera:Email:Smtp:From"] = "Accounts <accounts@tessera.test>";
        _server.Settings["Tessera:Email:LinkBaseUrl"] = "https://app.example.com/account/";
        _server.Settings["Tessera:Email:RetryDelay"] = "00:00:00.100";
        _server.Settings["Tessera:Email:MaxRetryDelay"] = "00:00:00.400";
        _server.Settings["Tessera:Email:MaxAttempts"] = "100";
        _server.ConfigureServices = s => s.AddSingleton<ILoggerProvider>(_logs);
        return _server.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    private async Task RequestResetAsync(string email)
    {
        using var client = _server.CreateClient();
        Assert.Equal(200, (await client.PostJsonAsync("/api/password/reset/", new { email })).Status);
    }

    [Fact]
    public async Task A_reset_mail_is_delivered_over_SMTP_with_a_working_link()
    {
        _smtp.Start();
        var user = await _server.RegisterAsync("smtp");
        var email = $"{user.Username}@example.com";

        await RequestResetAsync(email);

        var message = await _smtp.WaitForAsync(email, TimeSpan.FromSeconds(10));
        Assert.Equal("accounts@tessera.test", message.From.Mailboxes.Single().Address);
        Assert.NotNull(message.HtmlBody);
        Assert.Contains("https://app.example.com/account/password/reset/confirm/?token=", message.TextBody);
        var token = Outbox.TokenIn(message)!;
        using var client = _server.CreateClient();
        var confirm = await client.PostJsonAsync("/api/password/reset/confirm/", new { token, new_password = "Fresh-meadow-" + Guid.NewGuid().ToString("N")[..6] });
        Assert.Equal(200, confirm.Status);
        // The lookup by email is one ordered query: EF warned of a Take without OrderBy on every reset.
        Assert.DoesNotContain(_logs.AtLeast(LogLevel.Warning), e => e.Contains("Microsoft.EntityFrameworkCore", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Mail_queued_while_the_SMTP_server_is_down_is_delivered_when_it_comes_back()
    {
        var users = new List<string>();
        for (var i = 0; i < 3; i++)
            users.Add($"{(await _server.RegisterAsync("down")).Username}@example.com");

        foreach (var email in users)
            await RequestResetAsync(email); // answered at once, though nothing can be sent
        await WaitForAsync(() => _logs.AtLeast(LogLevel.Warning).Count(e => e.Contains("trying again", StringComparison.Ordinal)) >= 2);
        Assert.Empty(_smtp.Received);

        _smtp.Start();

        foreach (var email in users)
            await _smtp.WaitForAsync(email, TimeSpan.FromSeconds(15));
        // The failures were logged, and no log line carries a token.
        var tokens = _smtp.Received.Select(m => Outbox.TokenIn(m)!).ToList();
        Assert.All(_logs.Entries, e => Assert.DoesNotContain(tokens, t => e.Message.Contains(t, StringComparison.Ordinal)));
        Assert.DoesNotContain(_logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task A_mailbox_refused_for_good_is_given_up_at_once_and_does_not_hold_the_mail_behind_it()
    {
        var refused = $"{(await _server.RegisterAsync("nosuch")).Username}@example.com";
        var other = $"{(await _server.RegisterAsync("behind")).Username}@example.com";
        _smtp.RecipientReply = (address, _) => address == refused ? "550 5.1.1 No such user here" : null;
        _smtp.Start();

        await RequestResetAsync(refused);
        await RequestResetAsync(other);

        // Behind a refused message tried again in place (100 attempts, up to 0.4 s apart) this would take 40 s.
        await _smtp.WaitForAsync(other, TimeSpan.FromSeconds(10));
        Assert.Equal(1, _smtp.RecipientAttempts[refused]);
        var givenUp = Assert.Single(_logs.AtLeast(LogLevel.Error));
        Assert.Contains("refused by the mail server", givenUp, StringComparison.Ordinal);
        Assert.Contains("550", givenUp, StringComparison.Ordinal);
        Assert.DoesNotContain(_logs.AtLeast(LogLevel.Warning), e => e.Contains("trying again", StringComparison.Ordinal));
        Assert.DoesNotContain(_smtp.Received, m => m.To.Mailboxes.Any(b => b.Address == refused));
    }

    [Fact]
    public async Task A_mailbox_refused_for_now_is_tried_again_later_while_the_mail_behind_it_goes()
    {
        var greylisted = $"{(await _server.RegisterAsync("grey")).Username}@example.com";
        var other = $"{(await _server.RegisterAsync("behind")).Username}@example.com";
        _smtp.RecipientReply = (address, attempt) => address == greylisted && attempt <= 3 ? "450 4.2.0 Greylisted, try again later" : null;
        _smtp.Start();

        await RequestResetAsync(greylisted);
        await RequestResetAsync(other);

        await _smtp.WaitForAsync(greylisted, TimeSpan.FromSeconds(15));
        var order = _smtp.Received.Select(m => m.To.Mailboxes.Single().Address).ToList();
        Assert.True(order.IndexOf(other) >= 0 && order.IndexOf(other) < order.IndexOf(greylisted),
            $"the mail behind the greylisted one waited for it: {string.Join(", ", order)}");
        Assert.Equal(4, _smtp.RecipientAttempts[greylisted]);
        Assert.NotNull(Outbox.TokenIn(_smtp.Received.Single(m => m.To.Mailboxes.Single().Address == greylisted)));
        Assert.DoesNotContain(_logs.Entries, e => e.Level >= LogLevel.Error);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(25);
        }
    }
}
