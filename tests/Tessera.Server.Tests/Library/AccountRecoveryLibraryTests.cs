using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MimeKit;
using Tessera.AspNetCore.Email;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Library;

/// <summary>
/// Account recovery in an app of the library's own: one call (<c>AddAccountRecovery</c>), an
/// <see cref="IMailTransport"/> of the app's (registered before it) in place of SMTP, and settings
/// validated at start.
/// </summary>
public sealed class AccountRecoveryLibraryTests
{
    private sealed class CapturingTransport : IMailTransport
    {
        public ConcurrentQueue<MimeMessage> Sent { get; } = new();

        public Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
        {
            Sent.Enqueue(message);
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task An_app_s_own_transport_carries_the_mail_and_the_app_s_link_base()
    {
        var transport = new CapturingTransport();
        var host = new LibraryHost(
            tessera =>
            {
                tessera.Services.AddSingleton<IMailTransport>(transport);
                tessera.AddJwt().AddAccountRecovery(o => o.SiteName = "Notes");
            },
            _ => { },
            settings: new() { ["Tessera:Email:LinkBaseUrl"] = "https://notes.example.com/app" });
        await host.InitializeAsync();
        try
        {
            var name = "lib" + Guid.NewGuid().ToString("N")[..10];
            Assert.Equal(201, (await host.Client.PostJsonAsync("/api/register/", new { username = name, password = "S3cure-pass-word", email = $"{name}@example.com" })).Status);

            Assert.Equal(200, (await host.Client.PostJsonAsync("/api/password/reset/", new { email = $"{name}@example.com" })).Status);

            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (transport.Sent.IsEmpty && DateTime.UtcNow < deadline)
                await Task.Delay(25);
            var message = Assert.Single(transport.Sent);
            Assert.Equal("Reset your Notes password", message.Subject);
            Assert.Contains("https://notes.example.com/app/password/reset/confirm/?token=rst.", message.TextBody);
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("Tessera:Auth:RequireVerifiedEmail", "true", false, "RequireVerifiedEmail needs account recovery")]
    [InlineData("Tessera:Email:LinkBaseUrl", "not a url", true, "LinkBaseUrl must be an absolute http or https URL")]
    [InlineData("Tessera:Email:Smtp:From", "nobody", true, "Smtp:From is not an email address")]
    [InlineData("Tessera:PasswordPolicy:MaximumBytes", "10", false, "MaximumBytes must be at least 64")]
    [InlineData("Tessera:Auth:TokenSecret", "short", true, "TokenSecret must be at least 32 bytes")]
    [InlineData("Tessera:Sweeper:Interval", "-00:00:01", false, "Sweeper:Interval must be between")]
    public async Task A_bad_setting_stops_the_app_with_a_message_that_names_it(string key, string value, bool withRecovery, string message)
    {
        var host = new LibraryHost(
            tessera =>
            {
                tessera.AddJwt();
                if (withRecovery)
                    tessera.AddAccountRecovery();
            },
            _ => { },
            settings: new() { [key] = value });
        try
        {
            var e = await Assert.ThrowsAsync<OptionsValidationException>(host.InitializeAsync);
            Assert.Contains(message, e.Message);
        }
        finally
        {
            await host.DisposeAsync();
        }
    }
}
