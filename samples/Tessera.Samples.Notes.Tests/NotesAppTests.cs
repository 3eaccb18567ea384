using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Notes;
using Tessera.Core.Users;

namespace Tessera.Samples.Notes.Tests;

/// <summary>The sample app, started as its Program starts it, on Kestrel over a fresh SQLite file.</summary>
public sealed class NotesAppTests : IAsyncLifetime
{
    private const string Password = "S3cure-pass-word";
    private readonly string _directory = Directory.CreateTempSubdirectory("tessera-notes-").FullName;
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _app = NotesApp.Build([
            "--urls=http://127.0.0.1:0",
            $"--ConnectionStrings:Notes=Data Source={Path.Combine(_directory, "notes.db")}",
            "--Tessera:Jwt:SigningKey=notes-test-signing-key-0123456789-0123456789",
            "--Tessera:Passwords:Iterations=1000",
            "--Logging:LogLevel:Default=Warning",
        ]);
        await NotesApp.MigrateAsync(_app);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _client = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = new Uri(address) };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task The_custom_claim_is_in_access_refresh_refreshed_access_and_sliding_tokens()
    {
        var (name, pair) = await RegisterAsync("sales");
        await VerifyAsync(name, true); // refreshing is admission too: the rule asks for a verified email
        var refreshed = await PostAsync("/api/token/refresh/", new { refresh = pair.GetProperty("refresh").GetString() });
        var sliding = await PostAsync("/api/sliding/token/", new { username = name, password = Password });

        foreach (var token in new[] { pair.GetProperty("access"), pair.GetProperty("refresh"), refreshed.Body.GetProperty("access"), refreshed.Body.GetProperty("refresh"), sliding.Body.GetProperty("token") })
            Assert.Equal("sales", Claims(token.GetString()!).GetProperty("department").GetString());
    }

    [Fact]
    public async Task The_users_own_fields_round_trip_through_register_and_profile()
    {
        var (name, pair) = await RegisterAsync("research");
        await VerifyAsync(name, true);
        var bearer = Bearer(pair.GetProperty("access").GetString()!);

        var profile = await SendAsync(HttpMethod.Get, "/api/profile/", null, bearer);
        Assert.Equal(200, profile.Status);
        Assert.Equal("research", profile.Body.GetProperty("department").GetString());
        Assert.True(profile.Body.GetProperty("email_verified").GetBoolean());

        var patched = await SendAsync(HttpMethod.Patch, "/api/profile/", new { department = "sales" }, bearer);
        Assert.Equal("sales", patched.Body.GetProperty("department").GetString());
        Assert.Equal("sales", (await SendAsync(HttpMethod.Get, "/api/profile/", null, bearer)).Body.GetProperty("department").GetString());
    }

    [Fact]
    public async Task The_admission_rule_refuses_on_the_next_request_after_the_flag_changes()
    {
        var (name, pair) = await RegisterAsync("ops");
        var bearer = Bearer(pair.GetProperty("access").GetString()!);

        var unverified = await SendAsync(HttpMethod.Get, "/api/hello/", null, bearer);
        Assert.Equal(401, unverified.Status);
        Assert.Equal("Email not verified.", unverified.Body.GetProperty("detail").GetString());

        await VerifyAsync(name, true);
        Assert.Equal(200, (await SendAsync(HttpMethod.Get, "/api/hello/", null, bearer)).Status);

        await VerifyAsync(name, false);
        Assert.Equal(401, (await SendAsync(HttpMethod.Get, "/api/hello/", null, bearer)).Status);
    }

    [Fact]
    public async Task Notes_are_changed_by_their_owner_only()
    {
        var (owner, ownerPair) = await RegisterAsync("a");
        var (other, otherPair) = await RegisterAsync("b");
        await VerifyAsync(owner, true);
        await VerifyAsync(other, true);
        var created = await SendAsync(HttpMethod.Post, "/api/notes/", new { text = "mine" }, Bearer(ownerPair.GetProperty("access").GetString()!));
        Assert.Equal(201, created.Status);
        var path = $"/api/notes/{created.Body.GetProperty("id").GetInt64()}/";

        Assert.Equal(403, (await SendAsync(HttpMethod.Put, path, new { text = "theirs" }, Bearer(otherPair.GetProperty("access").GetString()!))).Status);
        Assert.Equal(200, (await SendAsync(HttpMethod.Put, path, new { text = "still mine" }, Bearer(ownerPair.GetProperty("access").GetString()!))).Status);
    }

    [Theory]
    [InlineData("POST", "/api-token-auth/")]
    [InlineData("GET", "/api/tokens/")]
    [InlineData("POST", "/api/api-key/")]
    public async Task The_app_has_no_drf_token_or_api_key_endpoint(string method, string path)
        => Assert.Equal(404, (await SendAsync(new HttpMethod(method), path, new { username = "x", password = "y" }, null)).Status);

    [Fact]
    public async Task Sessions_work_and_other_schemes_are_no_credentials()
    {
        var (name, _) = await RegisterAsync("s");
        await VerifyAsync(name, true);
        using var csrf = await _client.GetAsync("/session/csrf/");
        var cookie = csrf.Headers.GetValues("Set-Cookie").First().Split(';')[0];
        using var login = new HttpRequestMessage(HttpMethod.Post, "/session/login/") { Content = JsonContent.Create(new { username = name, password = Password }) };
        login.Headers.Add("Cookie", cookie);
        login.Headers.Add("X-CSRFToken", cookie[(cookie.IndexOf('=') + 1)..]);
        using var loggedIn = await _client.SendAsync(login);
        Assert.Equal(200, (int)loggedIn.StatusCode);
        var session = loggedIn.Headers.GetValues("Set-Cookie").First(c => c.StartsWith("sessionid=", StringComparison.Ordinal)).Split(';')[0];

        using var hello = new HttpRequestMessage(HttpMethod.Get, "/api/hello/");
        hello.Headers.Add("Cookie", session);
        Assert.Equal(200, (int)(await _client.SendAsync(hello)).StatusCode);

        var token = await SendAsync(HttpMethod.Get, "/api/hello/", null, new AuthenticationHeaderValue("Token", new string('a', 40)));
        Assert.Equal("Authentication credentials were not provided.", token.Body.GetProperty("detail").GetString());
    }

    private async Task<(string Name, JsonElement Pair)> RegisterAsync(string department)
    {
        var name = "n" + Guid.NewGuid().ToString("N")[..10];
        var r = await PostAsync("/api/register/", new { username = name, password = Password, department });
        Assert.True(r.Status == 201, r.Body.ToString());
        return (name, r.Body);
    }

    [Fact]
    public async Task The_apps_own_endpoints_answer_an_unreadable_body_in_DRFs_words()
    {
        var (name, pair) = await RegisterAsync("sales");
        await VerifyAsync(name, true);
        var bearer = Bearer(pair.GetProperty("access").GetString()!);

        var malformed = await SendRawAsync("/api/notes/", "{\"text\": ", "application/json", bearer);
        var wrongType = await SendRawAsync("/api/notes/", "text=x", "text/plain", bearer);

        Assert.Equal(400, malformed.Status);
        Assert.StartsWith("JSON parse error - ", malformed.Body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(415, wrongType.Status);
        Assert.Equal("Unsupported media type \"text/plain\" in request.", wrongType.Body.GetProperty("detail").GetString());
    }

    private async Task<(int Status, JsonElement Body)> SendRawAsync(string path, string body, string contentType, AuthenticationHeaderValue auth)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        request.Headers.Authorization = auth;
        using var response = await _client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private async Task VerifyAsync(string username, bool verified)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        Assert.True(await scope.ServiceProvider.GetRequiredService<UserAdministration>()
            .UpdateAsync(username, u => ((NotesUser)u).EmailVerified = verified));
    }

    private Task<(int Status, JsonElement Body)> PostAsync(string path, object body) => SendAsync(HttpMethod.Post, path, body, null);

    private async Task<(int Status, JsonElement Body)> SendAsync(HttpMethod method, string path, object? body, AuthenticationHeaderValue? auth)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
            request.Content = JsonContent.Create(body);
        request.Headers.Authorization = auth;
        using var response = await _client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private static AuthenticationHeaderValue Bearer(string token) => new("Bearer", token);

    private static JsonElement Claims(string token)
    {
        var payload = token.Split('.')[1].Replace('-', '+').Replace('_', '/');
        payload += new string('=', (4 - payload.Length % 4) % 4);
        return JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload))).RootElement.Clone();
    }
}
