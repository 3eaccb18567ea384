using System.Net.Http.Headers;
using Tessera.Server.Tests.Infrastructure;
using static Tessera.Server.Tests.Endpoints.EndpointKit;

namespace Tessera.Server.Tests.AccountRecovery;

/// <summary>POST /api/password/reset/ and /confirm/: a link by mail, one use, every login ended.</summary>
[Collection(ServerCollection.Name)]
public sealed class PasswordResetTests(TesseraServer server)
{
    private const string InvalidToken = "Invalid or expired token.";

    private static string NewPassword() => "Fresh-meadow-" + Guid.NewGuid().ToString("N")[..8];

    private async Task<(RegisteredUser User, string Email, string Token)> RequestResetAsync(string prefix = "reset")
    {
        var user = await server.RegisterAsync(prefix);
        var email = $"{user.Username}@example.com";
        using var client = server.CreateClient();
        var r = await client.PostJsonAsync("/api/password/reset/", new { email });
        Assert.Equal(200, r.Status);
        return (user, email, await server.Outbox.TokenAsync(email));
    }

    private async Task<ApiResponse> ConfirmAsync(string token, string newPassword)
    {
        using var client = server.CreateClient();
        return await client.PostJsonAsync("/api/password/reset/confirm/", new { token, new_password = newPassword });
    }

    private async Task<int> LoginStatusAsync(string username, string password)
    {
        using var client = server.CreateClient();
        return (await client.PostJsonAsync("/api/token/", new { username, password })).Status;
    }

    [Fact]
    public async Task A_reset_sets_the_new_password_and_ends_every_login()
    {
        var (user, _, token) = await RequestResetAsync();
        var newPassword = NewPassword();

        var r = await ConfirmAsync(token, newPassword);

        Assert.Equal(200, r.Status);
        Assert.Equal(401, await LoginStatusAsync(user.Username, user.Password));
        Assert.Equal(200, await LoginStatusAsync(user.Username, newPassword));
        using var client = server.CreateClient();
        var old = await client.GetJsonAsync("/api/hello/", user.Bearer);
        Assert.Equal(401, old.Status);
        Assert.Equal("token_not_valid", old.Str("code"));
        var oldRefresh = await client.PostJsonAsync("/api/token/refresh/", new { refresh = user.Refresh });
        Assert.Equal(401, oldRefresh.Status);
    }

    [Fact]
    public async Task A_reset_token_works_once()
    {
        var (_, _, token) = await RequestResetAsync();
        Assert.Equal(200, (await ConfirmAsync(token, NewPassword())).Status);

        var again = await ConfirmAsync(token, NewPassword());

        Assert.Equal(400, again.Status);
        Assert.Equal($$"""{"token":["{{InvalidToken}}"]}""", again.Raw);
    }

    [Fact]
    public async Task A_reset_token_dies_when_the_password_changes()
    {
        var (user, _, token) = await RequestResetAsync();
        using var client = server.CreateClient();
        var change = await client.PostJsonAsync("/api/password/change/", new { old_password = user.Password, new_password = NewPassword() }, user.Bearer);
        Assert.Equal(200, change.Status);

        var r = await ConfirmAsync(token, NewPassword());

        Assert.Equal(400, r.Status);
        Assert.Equal(InvalidToken, r.Json.GetProperty("token")[0].GetString());
    }

    [Fact]
    public async Task A_reset_token_dies_when_the_email_changes()
    {
        var (user, _, stale) = await RequestResetAsync();
        using var client = server.CreateClient();
        var moved = $"{user.Username}@moved.example.org";
        Assert.Equal(200, (await client.SendJsonAsync(HttpMethod.Patch, "/api/profile/", new { email = moved, current_password = user.Password }, user.Bearer)).Status);

        Assert.Equal(400, (await ConfirmAsync(stale, NewPassword())).Status); // it went to the old address
    }

    [Fact]
    public async Task A_reset_verifies_the_email_it_reached()
    {
        var (user, _, token) = await RequestResetAsync();
        await using (var before = server.CreateDbContext())
            Assert.False(before.Users.Single(u => u.Username == user.Username).EmailVerified); // a registration address: reset unverified

        Assert.Equal(200, (await ConfirmAsync(token, NewPassword())).Status);

        await using var db = server.CreateDbContext();
        Assert.True(db.Users.Single(u => u.Username == user.Username).EmailVerified); // the link reached that address
    }

    [Fact]
    public async Task Concurrent_uses_of_one_token_let_exactly_one_through()
    {
        var (user, _, token) = await RequestResetAsync();
        var passwords = Enumerable.Range(0, 6).Select(_ => NewPassword()).ToArray();

        var results = await Task.WhenAll(passwords.Select(p => ConfirmAsync(token, p)));

        Assert.Single(results, r => r.Status == 200);
        Assert.All(results.Where(r => r.Status != 200), r => Assert.Equal(400, r.Status));
        var winner = passwords[Array.FindIndex(results, r => r.Status == 200)];
        Assert.Equal(200, await LoginStatusAsync(user.Username, winner));
    }

    [Fact]
    public async Task A_reset_token_does_not_verify_an_email_nor_authenticate()
    {
        var (_, _, token) = await RequestResetAsync();
        using var client = server.CreateClient();

        var verify = await client.PostJsonAsync("/api/email/verify/confirm/", new { token });
        Assert.Equal(400, verify.Status);
        Assert.Equal(InvalidToken, verify.Json.GetProperty("token")[0].GetString());

        // No scheme takes it, however it is presented.
        var bearer = await client.GetJsonAsync("/api/hello/", Bearer(token));
        Assert.Equal(401, bearer.Status);
        Assert.Equal("token_not_valid", bearer.Str("code"));
        Assert.Equal(401, (await client.GetJsonAsync("/api/hello/", new AuthenticationHeaderValue("Token", token))).Status);
        Assert.Equal(401, (await client.GetJsonAsync("/api/hello/", new AuthenticationHeaderValue("Basic", token))).Status);
        var apiKey = await client.SendJsonAsync(HttpMethod.Get, "/api/hello/", configure: m => m.Headers.Add("X-API-Key", token));
        Assert.Equal(401, apiKey.Status);
        var session = await client.SendJsonAsync(HttpMethod.Get, "/api/hello/", configure: m => m.Headers.Add("Cookie", $"sessionid={token}"));
        Assert.True(session.Status is 401 or 403, session.ToString());
        Assert.Equal(401, (await client.PostJsonAsync("/api/token/verify/", new { token })).Status);

        // And it still works where it belongs: none of that used it up.
        Assert.Equal(200, (await ConfirmAsync(token, NewPassword())).Status);
    }

    [Fact]
    public async Task Unknown_and_known_emails_get_the_same_answer_and_only_accounts_get_mail()
    {
        var user = await server.RegisterAsync("reveal");
        var ghost = $"ghost{Guid.NewGuid():N}@example.com";
        using var client = server.CreateClient();

        var unknown = await client.PostJsonAsync("/api/password/reset/", new { email = ghost });
        var known = await client.PostJsonAsync("/api/password/reset/", new { email = $"{user.Username}@example.com" });

        Assert.Equal(200, unknown.Status);
        Assert.Equal(known.Status, unknown.Status);
        Assert.Equal(known.Raw, unknown.Raw);
        await server.Outbox.MessageAsync($"{user.Username}@example.com");
        await Task.Delay(300); // the ghost's request was queued first: its turn has passed
        Assert.Empty(server.Outbox.To(ghost));
    }

    [Fact]
    public async Task The_email_is_matched_case_insensitively()
    {
        var user = await server.RegisterAsync("casing");
        using var client = server.CreateClient();

        Assert.Equal(200, (await client.PostJsonAsync("/api/password/reset/", new { email = $"{user.Username.ToUpperInvariant()}@EXAMPLE.com" })).Status);

        Assert.NotNull(Outbox.TokenIn(await server.Outbox.MessageAsync($"{user.Username}@example.com")));
    }

    [Fact]
    public async Task The_mail_has_plain_text_and_HTML_with_the_link()
    {
        var (user, email, token) = await RequestResetAsync();
        var message = server.Outbox.To(email).Single();

        Assert.Contains("Reset", message.Subject);
        Assert.Contains($"http://localhost:8000/password/reset/confirm/?token={token}", message.TextBody);
        Assert.Contains($"href=\"http://localhost:8000/password/reset/confirm/?token={token}\"", message.HtmlBody);
        Assert.Contains(user.Username, message.TextBody);
        Assert.Empty(Directory.GetFiles(server.Outbox.Directory, "*.tmp")); // written whole, then renamed
    }

    [Fact]
    public async Task The_new_password_must_meet_the_policy_and_a_refusal_does_not_use_the_token()
    {
        var (user, _, token) = await RequestResetAsync();

        var common = await ConfirmAsync(token, "password123");
        var similar = await ConfirmAsync(token, user.Username + "!");
        var tooShort = await ConfirmAsync(token, "Zq7!k");

        Assert.Equal("""{"new_password":["This password is too common."]}""", common.Raw);
        Assert.Equal("""{"new_password":["The password is too similar to the username."]}""", similar.Raw);
        Assert.Equal("""{"new_password":["This password is too short. It must contain at least 8 characters."]}""", tooShort.Raw);
        Assert.Equal(200, (await ConfirmAsync(token, NewPassword())).Status);
    }

    [Theory]
    [InlineData("not-a-token")]
    [InlineData("rst.AAAAAAAAAAEAAAAAZ0v3yA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.e30.abc")]
    public async Task Garbage_and_forged_tokens_are_invalid(string token)
    {
        var r = await ConfirmAsync(token, NewPassword());

        Assert.Equal(400, r.Status);
        Assert.Equal($$"""{"token":["{{InvalidToken}}"]}""", r.Raw);
    }

    [Fact]
    public async Task Bad_input_gets_DRF_s_field_errors()
    {
        using var client = server.CreateClient();

        Assert.Equal("""{"email":["This field is required."]}""", (await client.PostJsonAsync("/api/password/reset/", new { })).Raw);
        Assert.Equal("""{"email":["Enter a valid email address."]}""", (await client.PostJsonAsync("/api/password/reset/", new { email = "nobody" })).Raw);
        Assert.Equal("""{"token":["This field is required."],"new_password":["This field is required."]}""",
            (await client.PostJsonAsync("/api/password/reset/confirm/", new { })).Raw);
        Assert.Equal(400, (await client.PostRawAsync("/api/password/reset/", "{\"email\":", "application/json")).Status);
        Assert.Equal(415, (await client.PostRawAsync("/api/password/reset/", "email=a", "text/plain")).Status);
    }

    [Fact]
    public async Task A_form_body_works_as_DRF_accepts_it()
    {
        var user = await server.RegisterAsync("form");
        using var client = server.CreateClient();

        var r = await client.PostRawAsync("/api/password/reset/", $"email={user.Username}%40example.com", "application/x-www-form-urlencoded");

        Assert.Equal(200, r.Status);
        await server.Outbox.MessageAsync($"{user.Username}@example.com");
    }

    [Fact]
    public async Task An_inactive_account_gets_no_reset_mail()
    {
        var user = await server.RegisterAsync("inactive");
        await server.AdministerAsync(a => a.SetActiveAsync(user.Username, false));
        using var client = server.CreateClient();

        Assert.Equal(200, (await client.PostJsonAsync("/api/password/reset/", new { email = $"{user.Username}@example.com" })).Status);

        // Requests are composed in order: once a later one's mail is out, the inactive one's turn has passed.
        var later = await server.RegisterAsync("active");
        Assert.Equal(200, (await client.PostJsonAsync("/api/password/reset/", new { email = $"{later.Username}@example.com" })).Status);
        await server.Outbox.MessageAsync($"{later.Username}@example.com");
        Assert.Empty(server.Outbox.To($"{user.Username}@example.com"));
    }
}
