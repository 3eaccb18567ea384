using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.AccountRecovery;

/// <summary>Tessera:Auth:RequireVerifiedEmail: no tokens or sessions for an unverified email, and issued ones stop when it becomes unverified.</summary>
public sealed class RequireVerifiedEmailTests : IAsyncLifetime
{
    private const string NotVerified = """{"detail":"Email not verified."}""";

    private readonly TesseraServer _server = new();

    public Task InitializeAsync()
    {
        _server.Settings["Tessera:Auth:RequireVerifiedEmail"] = "true";
        return _server.InitializeAsync();
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    private static (string Name, string Password, string Email) NewAccount()
    {
        var name = "rv" + Guid.NewGuid().ToString("N")[..10];
        return (name, "S3cure-" + Guid.NewGuid().ToString("N")[..12], $"{name}@example.com");
    }

    private async Task<(string Name, string Password, string Email)> RegisterAsync()
    {
        var account = NewAccount();
        using var client = _server.CreateClient();
        var r = await client.PostJsonAsync("/api/register/", new { username = account.Name, password = account.Password, email = account.Email });
        Assert.Equal(201, r.Status);
        Assert.False(r.Json.TryGetProperty("access", out _), r.ToString()); // a pair would only be refused
        Assert.Equal(account.Email, r.Str("email"));
        return account;
    }

    private async Task VerifyAsync(string email, int mail = 0)
    {
        using var client = _server.CreateClient();
        var token = await _server.Outbox.TokenAsync(email, mail);
        Assert.Equal(200, (await client.PostJsonAsync("/api/email/verify/confirm/", new { token })).Status);
    }

    [Fact]
    public async Task An_unverified_user_obtains_no_tokens_and_no_session_until_the_link_is_used()
    {
        var (name, password, email) = await RegisterAsync();
        using var client = _server.CreateClient();

        var pair = await client.PostJsonAsync("/api/token/", new { username = name, password });
        Assert.Equal(401, pair.Status);
        Assert.Equal(NotVerified, pair.Raw);
        Assert.Equal(NotVerified, (await client.PostJsonAsync("/api/sliding/token/", new { username = name, password })).Raw);
        Assert.Equal(NotVerified, (await client.PostJsonAsync("/api-token-auth/", new { username = name, password })).Raw);
        var basic = await client.GetJsonAsync("/api/hello/", new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{name}:{password}"))));
        Assert.Equal(401, basic.Status);
        Assert.Equal(NotVerified, basic.Raw);
        var browser = new Browser(_server);
        await browser.GetCsrfAsync();
        var session = await browser.LoginAsync(name, password);
        Assert.Equal(401, session.Status);
        Assert.Equal(NotVerified, session.Api.Raw);
        Assert.DoesNotContain("sessionid", browser.Cookies.Keys);
        // A wrong password still says only that.
        Assert.Equal(401, (await client.PostJsonAsync("/api/token/", new { username = name, password = password + "x" })).Status);
        Assert.Equal("No active account found with the given credentials",
            (await client.PostJsonAsync("/api/token/", new { username = name, password = password + "x" })).Str("detail"));

        await VerifyAsync(email); // the registration mailed the link

        Assert.Equal(200, (await client.PostJsonAsync("/api/token/", new { username = name, password })).Status);
    }

    [Fact]
    public async Task Tokens_already_issued_stop_on_the_next_request_when_the_email_becomes_unverified()
    {
        var (name, password, email) = await RegisterAsync();
        await VerifyAsync(email);
        using var client = _server.CreateClient();
        var pair = (await client.PostJsonAsync("/api/token/", new { username = name, password })).Json;
        var bearer = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", pair.GetProperty("access").GetString());
        Assert.Equal(200, (await client.GetJsonAsync("/api/hello/", bearer)).Status);
        var newEmail = $"{name}@elsewhere.example.org";

        Assert.Equal(200, (await client.SendJsonAsync(HttpMethod.Patch, "/api/profile/", new { email = newEmail, current_password = password }, bearer)).Status);

        var after = await client.GetJsonAsync("/api/hello/", bearer);
        Assert.Equal(401, after.Status);
        Assert.Equal(NotVerified, after.Raw);
        // The new address's link (mailed by the change) lets the same tokens in again.
        await VerifyAsync(newEmail);
        Assert.Equal(200, (await client.GetJsonAsync("/api/hello/", bearer)).Status);
    }

    [Fact]
    public async Task A_user_kept_out_asks_for_a_new_link_by_email()
    {
        var (name, password, email) = await RegisterAsync();
        await _server.Outbox.MessageAsync(email); // the registration's
        using var client = _server.CreateClient();

        var r = await client.PostJsonAsync("/api/email/verify/", new { email });
        Assert.Equal(200, r.Status);

        await VerifyAsync(email, mail: 1);
        Assert.Equal(200, (await client.PostJsonAsync("/api/token/", new { username = name, password })).Status);
    }

    [Fact]
    public async Task A_password_reset_proves_the_email_and_lets_the_user_in()
    {
        var (name, _, email) = await RegisterAsync();
        using var client = _server.CreateClient();
        await _server.Outbox.MessageAsync(email); // the registration's verification link, unused
        Assert.Equal(200, (await client.PostJsonAsync("/api/password/reset/", new { email })).Status);
        var token = await _server.Outbox.TokenAsync(email, 1);
        var password = "Fresh-meadow-" + Guid.NewGuid().ToString("N")[..8];

        Assert.Equal(200, (await client.PostJsonAsync("/api/password/reset/confirm/", new { token, new_password = password })).Status);

        Assert.Equal(200, (await client.PostJsonAsync("/api/token/", new { username = name, password })).Status);
    }

    [Fact]
    public async Task Registration_needs_an_email()
    {
        var (name, password, _) = NewAccount();
        using var client = _server.CreateClient();

        var r = await client.PostJsonAsync("/api/register/", new { username = name, password });

        Assert.Equal(400, r.Status);
        Assert.Equal("""{"email":["This field is required."]}""", r.Raw);
    }
}
