using MimeKit;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.AccountRecovery;

/// <summary>
/// One address gets at most <c>email_verify_email</c> (5 an hour, the default) verification mails,
/// whichever way they are asked for: by address without signing in, by signed-in users, by email
/// changes, by registrations. Before, only the first way counted: 8 email changes of one account
/// mailed one address 8 times, and 3 accounts' signed-in requests 12.
/// </summary>
public sealed class VerificationMailCapTests : IAsyncLifetime
{
    private const int Allowance = 5;

    private readonly TesseraServer _server = new();

    public Task InitializeAsync()
    {
        _server.Settings["Tessera:Throttling:Rates:email_verify_email"] = "5/hour"; // the default, which the test server turns off
        return _server.InitializeAsync();
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    private static string Address(string prefix) => $"{prefix}{Guid.NewGuid():N}@target.example.org";

    private static bool IsVerification(MimeMessage m) => (m.Subject ?? "").StartsWith("Confirm your email", StringComparison.Ordinal);

    /// <summary>
    /// Waits until the mail pipeline has handled everything asked for before this call: a reset to an
    /// account of its own goes through the same queues in order, so once it has arrived every earlier
    /// request has been mailed or dropped. (Registered by hand: under RequireVerifiedEmail it gets no pair.)
    /// </summary>
    private static async Task SettleMailAsync(TesseraServer server)
    {
        var name = "barrier" + Guid.NewGuid().ToString("N")[..10];
        var email = $"{name}@example.com";
        using var client = server.CreateClient();
        Assert.Equal(201, (await client.PostJsonAsync("/api/register/", new { username = name, password = "S3cure-" + Guid.NewGuid().ToString("N")[..12], email })).Status);
        Assert.Equal(200, (await client.PostJsonAsync("/api/password/reset/", new { email })).Status);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!server.Outbox.To(email).Any(m => (m.Subject ?? "").Contains("password", StringComparison.OrdinalIgnoreCase)))
        {
            Assert.True(DateTime.UtcNow < deadline, "the barrier's reset never arrived");
            await Task.Delay(25);
        }
    }

    private async Task<RegisteredUser> RegisterWithAsync(string email)
    {
        var user = await _server.RegisterAsync("cap");
        using var client = _server.CreateClient();
        var moved = await client.SendJsonAsync(HttpMethod.Patch, "/api/profile/", new { email, current_password = user.Password }, user.Bearer);
        Assert.True(moved.Status == 200, moved.ToString());
        return user;
    }

    [Fact]
    public async Task Eight_email_changes_to_one_address_mail_it_the_allowance_only()
    {
        var user = await _server.RegisterAsync("changer");
        var target = Address("changes");
        using var client = _server.CreateClient();

        for (var i = 0; i < 8; i++)
        {
            var to = await client.SendJsonAsync(HttpMethod.Patch, "/api/profile/", new { email = target, current_password = user.Password }, user.Bearer);
            Assert.True(to.Status == 200, to.ToString());
            // Its verification is composed for the address the account has now, so let it be, then move away.
            await SettleMailAsync(_server);
            var away = await client.SendJsonAsync(HttpMethod.Patch, "/api/profile/", new { email = Address("away"), current_password = user.Password }, user.Bearer);
            Assert.True(away.Status == 200, away.ToString());
        }
        await SettleMailAsync(_server);

        Assert.Equal(Allowance, _server.Outbox.To(target).Count(IsVerification));
    }

    [Fact]
    public async Task Three_accounts_asking_for_one_address_share_its_allowance()
    {
        var target = Address("shared");
        var users = new List<RegisteredUser>();
        for (var i = 0; i < 3; i++)
            users.Add(await RegisterWithAsync(target));
        await SettleMailAsync(_server);
        Assert.Equal(3, _server.Outbox.To(target).Count(IsVerification)); // each change mailed its link

        using var client = _server.CreateClient();
        foreach (var user in users)
            for (var i = 0; i < 4; i++)
            {
                var asked = await client.PostJsonAsync("/api/email/verify/", null, user.Bearer);
                Assert.Equal("Verification email sent.", asked.Str("detail"));
            }
        var anonymous = await client.PostJsonAsync("/api/email/verify/", new { email = target });
        Assert.Equal(200, anonymous.Status);
        await SettleMailAsync(_server);

        Assert.Equal(Allowance, _server.Outbox.To(target).Count(IsVerification));
    }

    [Fact]
    public async Task Registrations_that_mail_a_link_take_from_the_same_allowance()
    {
        // Registration mails a link only when a verified email is required.
        var strict = new TesseraServer();
        strict.Settings["Tessera:Throttling:Rates:email_verify_email"] = "5/hour";
        strict.Settings["Tessera:Auth:RequireVerifiedEmail"] = "true";
        await strict.InitializeAsync();
        try
        {
            var target = Address("registrations");
            using var client = strict.CreateClient();
            for (var i = 0; i < Allowance + 2; i++)
            {
                var name = "reg" + Guid.NewGuid().ToString("N")[..10];
                var r = await client.PostJsonAsync("/api/register/", new { username = name, password = "S3cure-" + Guid.NewGuid().ToString("N")[..12], email = target });
                Assert.Equal(201, r.Status);
            }
            var anonymous = await client.PostJsonAsync("/api/email/verify/", new { email = target });
            Assert.Equal(200, anonymous.Status);
            await SettleMailAsync(strict);

            Assert.Equal(Allowance, strict.Outbox.To(target).Count(IsVerification));
        }
        finally
        {
            await strict.DisposeAsync();
        }
    }
}
