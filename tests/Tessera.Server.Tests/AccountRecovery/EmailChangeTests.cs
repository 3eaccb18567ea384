using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.AccountRecovery;

/// <summary>
/// Issue 20: with only a stolen access token, a thief set the account's email to their own address,
/// verified it, had the password reset mailed there and took the account. An email change now needs
/// the current password (behind login protection), or for an account without one a login of the
/// last 5 minutes; the old address is told; and an address set by a change gets no password reset
/// until its owner proves it.
/// </summary>
public sealed class EmailChangeTests : IAsyncLifetime
{
    private const string Required = """{"current_password":["This field is required."]}""";
    private const string WrongPassword = """{"current_password":["Wrong password."]}""";
    private const string SignInAgain = """{"detail":"Sign in again to change the email address."}""";

    private readonly ShiftedTimeProvider _clock = new();
    private readonly TesseraServer _server = new();

    public Task InitializeAsync()
    {
        _server.ConfigureServices = services => services.AddSingleton<TimeProvider>(_clock);
        // A guessing test that ends in seconds: 4 failures per username, short slowdowns.
        _server.Settings["Tessera:LoginProtection:MaxFailuresPerUsername"] = "4";
        _server.Settings["Tessera:LoginProtection:SlowdownAfter"] = "2";
        _server.Settings["Tessera:LoginProtection:InitialDelay"] = "00:00:00.050";
        return _server.InitializeAsync();
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    private static string Address(string prefix) => $"{prefix}{Guid.NewGuid():N}@elsewhere.example.org";

    private async Task<ApiResponse> PatchAsync(RegisteredUser user, object body)
    {
        using var client = _server.CreateClient();
        return await client.SendJsonAsync(HttpMethod.Patch, "/api/profile/", body, user.Bearer);
    }

    private async Task<string?> EmailOfAsync(RegisteredUser user)
    {
        using var client = _server.CreateClient();
        return (await client.GetJsonAsync("/api/profile/", user.Bearer)).Str("email");
    }

    private async Task RequestResetAsync(string email)
    {
        using var client = _server.CreateClient();
        Assert.Equal(200, (await client.PostJsonAsync("/api/password/reset/", new { email })).Status);
    }

    /// <summary>
    /// Waits until the mail pipeline has handled everything asked for before this call: one more
    /// reset, to an account of its own, goes through the same queues in order, so once it has
    /// arrived every earlier request has been mailed or dropped.
    /// </summary>
    private async Task SettleMailAsync()
    {
        var barrier = await _server.RegisterAsync("barrier");
        var email = $"{barrier.Username}@example.com";
        await RequestResetAsync(email);
        await _server.Outbox.MessageAsync(email);
    }

    private static bool IsReset(MimeMessage m) => (m.Subject ?? "").Contains("password", StringComparison.OrdinalIgnoreCase);

    private static bool IsVerification(MimeMessage m) => (m.Subject ?? "").StartsWith("Confirm your email", StringComparison.Ordinal);

    [Fact]
    public async Task A_stolen_access_token_alone_cannot_move_the_account_s_mail()
    {
        var victim = await _server.RegisterAsync("victim");
        var thief = Address("thief");

        var missing = await PatchAsync(victim, new { email = thief });
        var wrong = await PatchAsync(victim, new { email = thief, current_password = "a-guess-of-the-thief" });
        var blank = await PatchAsync(victim, new { email = thief, current_password = "" });

        Assert.Equal((400, Required), (missing.Status, missing.Raw));
        Assert.Equal((400, WrongPassword), (wrong.Status, wrong.Raw));
        Assert.Equal((400, """{"current_password":["This field may not be blank."]}"""), (blank.Status, blank.Raw));
        Assert.Equal($"{victim.Username}@example.com", await EmailOfAsync(victim));
        // The rest of the takeover finds nothing to work with: no account has the thief's address.
        await RequestResetAsync(thief);
        await SettleMailAsync();
        Assert.Empty(_server.Outbox.To(thief));
    }

    [Fact]
    public async Task A_wrong_current_password_is_a_failed_login_so_it_cannot_be_guessed_through_the_profile()
    {
        var victim = await _server.RegisterAsync("guessed");
        for (var i = 0; i < 4; i++)
            Assert.Equal(WrongPassword, (await PatchAsync(victim, new { email = Address("thief"), current_password = "guess" + i })).Raw);

        var right = await PatchAsync(victim, new { email = Address("thief"), current_password = victim.Password });
        Assert.Equal(429, right.Status);
        Assert.Matches(@"^Too many failed login attempts\. Try again in \d+ seconds?\.$", right.Str("detail"));
        // One count for every password endpoint: the guesses locked the login as well.
        using var client = _server.CreateClient();
        Assert.Equal(429, (await client.PostJsonAsync("/api/token/", new { username = victim.Username, password = victim.Password })).Status);
        Assert.Equal($"{victim.Username}@example.com", await EmailOfAsync(victim));
    }

    [Fact]
    public async Task With_the_password_the_old_address_is_told_and_the_new_one_gets_no_reset_until_verified()
    {
        var user = await _server.RegisterAsync("mover");
        var old = $"{user.Username}@example.com";
        var moved = Address("moved");

        var change = await PatchAsync(user, new { email = moved, current_password = user.Password });

        Assert.True(change.Status == 200, change.ToString());
        Assert.Equal(moved, change.Str("email"));
        var notice = await _server.Outbox.MessageAsync(old);
        Assert.Contains("email address", notice.Subject, StringComparison.Ordinal);
        Assert.Contains(user.Username, notice.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("token=", notice.TextBody + notice.HtmlBody, StringComparison.Ordinal);
        Assert.DoesNotContain(moved, notice.TextBody + notice.HtmlBody, StringComparison.OrdinalIgnoreCase);
        var verification = await _server.Outbox.TokenAsync(moved);

        await RequestResetAsync(moved);
        await SettleMailAsync();
        Assert.DoesNotContain(_server.Outbox.To(moved), IsReset);
        Assert.Single(_server.Outbox.To(old)); // the notice only: the old address no longer resets this account

        using var client = _server.CreateClient();
        Assert.Equal(200, (await client.PostJsonAsync("/api/email/verify/confirm/", new { token = verification })).Status);
        await RequestResetAsync(moved);
        var reset = await _server.Outbox.MessageAsync(moved, index: 1);
        Assert.True(IsReset(reset), reset.Subject);
        var newPassword = "Fresh-meadow-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(200, (await client.PostJsonAsync("/api/password/reset/confirm/", new { token = Outbox.TokenIn(reset), new_password = newPassword })).Status);
        Assert.Equal(200, (await client.PostJsonAsync("/api/token/", new { username = user.Username, password = newPassword })).Status);
    }

    [Fact]
    public async Task A_second_change_before_verifying_still_needs_the_password_and_still_gets_no_reset()
    {
        var user = await _server.RegisterAsync("twice");
        var first = Address("first");
        var second = Address("second");
        Assert.Equal(200, (await PatchAsync(user, new { email = first, current_password = user.Password })).Status);

        Assert.Equal(Required, (await PatchAsync(user, new { email = second })).Raw);
        Assert.Equal(200, (await PatchAsync(user, new { email = second, current_password = user.Password })).Status);

        await RequestResetAsync(second);
        await SettleMailAsync();
        Assert.DoesNotContain(_server.Outbox.To(second), IsReset);
        // An address nobody proved is not told when it is replaced: it may be anyone's (a typo).
        Assert.All(_server.Outbox.To(first), m => Assert.True(IsVerification(m), m.Subject));
    }

    [Fact]
    public async Task A_registration_address_gets_its_reset_before_it_is_verified()
    {
        var user = await _server.RegisterAsync("registered");
        var email = $"{user.Username}@example.com";
        await using (var db = _server.CreateDbContext())
            Assert.False(await db.Users.Where(u => u.Username == user.Username).Select(u => u.EmailVerified).SingleAsync());

        await RequestResetAsync(email);

        Assert.True(IsReset(await _server.Outbox.MessageAsync(email)));
    }

    [Fact]
    public async Task Names_and_the_same_address_in_another_spelling_need_no_password_and_mail_nothing()
    {
        var user = await _server.RegisterAsync("names");
        var email = $"{user.Username}@example.com";

        var names = await PatchAsync(user, new { first_name = "Ada", last_name = "Lovelace" });
        var same = await PatchAsync(user, new { email = $"{user.Username}@EXAMPLE.com", first_name = "Grace" });

        Assert.True(names.Status == 200, names.ToString());
        Assert.True(same.Status == 200, same.ToString());
        Assert.Equal((email, "Grace"), (same.Str("email"), same.Str("first_name")));
        await SettleMailAsync();
        Assert.Empty(_server.Outbox.To(email));
    }

    /// <summary>An account created without a password (an app's own sign-in): it has none to confirm a change with.</summary>
    private async Task<RegisteredUser> PasswordlessAsync(string prefix)
    {
        var user = await _server.RegisterAsync(prefix);
        await using var db = _server.CreateDbContext();
        await db.AppUsers.Where(u => u.Username == user.Username).ExecuteUpdateAsync(s => s.SetProperty(u => u.PasswordHash, "!"));
        await _server.UserChangedAsync(user.Username);
        return user;
    }

    [Fact]
    public async Task Without_a_usable_password_only_a_login_of_the_last_five_minutes_may_change_the_email()
    {
        var fresh = await PasswordlessAsync("fresh");
        var moved = Address("fresh");
        var change = await PatchAsync(fresh, new { email = moved });
        Assert.True(change.Status == 200, change.ToString());
        Assert.Equal(moved, change.Str("email"));

        var stale = await PasswordlessAsync("stale");
        _clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(5)); // the access token lives on (15 minutes)

        var refused = await PatchAsync(stale, new { email = Address("stale") });
        var withAGuess = await PatchAsync(stale, new { email = Address("stale"), current_password = "anything" });

        Assert.Equal((403, SignInAgain), (refused.Status, refused.Raw));
        Assert.Equal((403, SignInAgain), (withAGuess.Status, withAGuess.Raw));
        Assert.Equal($"{stale.Username}@example.com", await EmailOfAsync(stale));
        Assert.Equal(200, (await PatchAsync(stale, new { first_name = "Still" })).Status); // other fields as before
    }

    [Fact]
    public async Task A_credential_minted_by_an_old_login_is_not_a_fresh_login()
    {
        var stale = await PasswordlessAsync("minted");
        _clock.Advance(TimeSpan.FromMinutes(6));
        using var client = _server.CreateClient();
        // A refreshed access token belongs to the same old login; an API key is made by one.
        var refreshed = await client.PostJsonAsync("/api/token/refresh/", new { refresh = stale.Refresh });
        Assert.Equal(200, refreshed.Status);
        var created = await client.PostJsonAsync("/api/api-key/", new { name = "thief" }, stale.Bearer);
        Assert.Equal(201, created.Status);

        var byRefreshed = await client.SendJsonAsync(HttpMethod.Patch, "/api/profile/", new { email = Address("minted") },
            new("Bearer", refreshed.Str("access")));
        var byKey = await client.SendJsonAsync(HttpMethod.Patch, "/api/profile/", new { email = Address("minted") },
            configure: r => r.Headers.Add("X-API-Key", created.Str("api_key")));

        Assert.Equal((403, SignInAgain), (byRefreshed.Status, byRefreshed.Raw));
        Assert.Equal((403, SignInAgain), (byKey.Status, byKey.Raw));
        Assert.Equal($"{stale.Username}@example.com", await EmailOfAsync(stale));
    }
}
