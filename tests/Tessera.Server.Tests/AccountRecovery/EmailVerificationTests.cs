using Microsoft.EntityFrameworkCore;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.AccountRecovery;

/// <summary>POST /api/email/verify/ and /confirm/: the caller's email proven by a link, once; a new email is unverified.</summary>
[Collection(ServerCollection.Name)]
public sealed class EmailVerificationTests(TesseraServer server)
{
    private async Task<bool> IsVerifiedAsync(string username)
    {
        await using var db = server.CreateDbContext();
        return await db.Users.Where(u => u.Username == username).Select(u => u.EmailVerified).SingleAsync();
    }

    private async Task<ApiResponse> ConfirmAsync(string token)
    {
        using var client = server.CreateClient();
        return await client.PostJsonAsync("/api/email/verify/confirm/", new { token });
    }

    [Fact]
    public async Task The_link_verifies_the_email_once()
    {
        var user = await server.RegisterAsync("verify");
        var email = $"{user.Username}@example.com";
        using var client = server.CreateClient();
        Assert.False(await IsVerifiedAsync(user.Username));

        var request = await client.PostJsonAsync("/api/email/verify/", null, user.Bearer);
        Assert.Equal(200, request.Status);
        var token = await server.Outbox.TokenAsync(email);
        var message = server.Outbox.To(email).Single();
        Assert.Contains($"http://localhost:8000/email/verify/confirm/?token={token}", message.TextBody);

        var confirm = await ConfirmAsync(token);
        Assert.Equal(200, confirm.Status);
        Assert.True(await IsVerifiedAsync(user.Username));
        var again = await ConfirmAsync(token);
        Assert.Equal(400, again.Status);
        Assert.Equal("""{"token":["Invalid or expired token."]}""", again.Raw);

        var afterwards = await client.PostJsonAsync("/api/email/verify/", null, user.Bearer);
        Assert.Equal("Email already verified.", afterwards.Str("detail"));
    }

    [Fact]
    public async Task A_verification_token_dies_with_an_email_change_and_the_new_email_gets_its_own()
    {
        var user = await server.RegisterAsync("moving");
        using var client = server.CreateClient();
        await client.PostJsonAsync("/api/email/verify/", null, user.Bearer);
        var oldToken = await server.Outbox.TokenAsync($"{user.Username}@example.com");
        var newEmail = $"{user.Username}@elsewhere.example.org";

        var patch = await client.SendJsonAsync(HttpMethod.Patch, "/api/profile/", new { email = newEmail, current_password = user.Password }, user.Bearer);
        Assert.Equal(200, patch.Status);

        Assert.Equal(400, (await ConfirmAsync(oldToken)).Status);
        var newToken = await server.Outbox.TokenAsync(newEmail); // the change mailed the new address itself
        Assert.Equal(200, (await ConfirmAsync(newToken)).Status);
        Assert.True(await IsVerifiedAsync(user.Username));
    }

    [Fact]
    public async Task Changing_the_email_unverifies_it()
    {
        var user = await server.RegisterAsync("unverify");
        using var client = server.CreateClient();
        await client.PostJsonAsync("/api/email/verify/", null, user.Bearer);
        Assert.Equal(200, (await ConfirmAsync(await server.Outbox.TokenAsync($"{user.Username}@example.com"))).Status);
        Assert.True(await IsVerifiedAsync(user.Username));

        await client.SendJsonAsync(HttpMethod.Patch, "/api/profile/", new { first_name = "Ann" }, user.Bearer);
        Assert.True(await IsVerifiedAsync(user.Username)); // names are no email change
        await client.SendJsonAsync(HttpMethod.Patch, "/api/profile/", new { email = $"{user.Username}@example.net", current_password = user.Password }, user.Bearer);
        Assert.False(await IsVerifiedAsync(user.Username));
    }

    [Fact]
    public async Task A_verification_token_neither_resets_a_password_nor_authenticates()
    {
        var user = await server.RegisterAsync("purpose");
        using var client = server.CreateClient();
        await client.PostJsonAsync("/api/email/verify/", null, user.Bearer);
        var token = await server.Outbox.TokenAsync($"{user.Username}@example.com");

        var reset = await client.PostJsonAsync("/api/password/reset/confirm/", new { token, new_password = "Whatever-pass-77" });
        Assert.Equal(400, reset.Status);
        Assert.Equal("Invalid or expired token.", reset.Json.GetProperty("token")[0].GetString());
        var bearer = await client.GetJsonAsync("/api/hello/", new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token));
        Assert.Equal(401, bearer.Status);
        Assert.Equal("token_not_valid", bearer.Str("code"));

        Assert.Equal(200, (await ConfirmAsync(token)).Status);
    }

    [Fact]
    public async Task Asking_without_signing_in_needs_the_email_and_answers_alike()
    {
        var user = await server.RegisterAsync("anon");
        using var client = server.CreateClient();

        var none = await client.PostJsonAsync("/api/email/verify/", null);
        Assert.Equal(401, none.Status);
        Assert.Equal("Authentication credentials were not provided.", none.Str("detail"));

        var known = await client.PostJsonAsync("/api/email/verify/", new { email = $"{user.Username}@example.com" });
        var unknown = await client.PostJsonAsync("/api/email/verify/", new { email = $"nobody{Guid.NewGuid():N}@example.com" });
        Assert.Equal(200, known.Status);
        Assert.Equal(known.Raw, unknown.Raw);
        Assert.Equal(200, (await ConfirmAsync(await server.Outbox.TokenAsync($"{user.Username}@example.com"))).Status);
    }

    [Fact]
    public async Task Bad_confirm_bodies_get_DRF_s_errors()
    {
        using var client = server.CreateClient();

        Assert.Equal("""{"token":["This field is required."]}""", (await client.PostJsonAsync("/api/email/verify/confirm/", new { })).Raw);
        Assert.Equal("""{"token":["This field may not be blank."]}""", (await client.PostJsonAsync("/api/email/verify/confirm/", new { token = "" })).Raw);
        Assert.Equal("""{"token":["Invalid or expired token."]}""", (await client.PostJsonAsync("/api/email/verify/confirm/", new { token = "vfy.x.y" })).Raw);
    }
}
