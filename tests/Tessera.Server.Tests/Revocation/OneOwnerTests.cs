using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tessera.AspNetCore.Events;
using Tessera.Core.Revocation;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Revocation;

/// <summary>
/// Every credential kind's end goes through the one owner of admission changes: the app hears of it
/// once (<c>OnLoginRevoked</c>, with the reason, the user and the login), in the request that made
/// it, and another instance of the deployment that admitted the credential a moment before refuses
/// it on a following request (the database feed, polled often here; on PostgreSQL, Redis).
/// </summary>
public sealed class OneOwnerTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<(long? UserId, string? LoginId, string Reason, bool InRequest)> _revoked = new();
    private readonly TesseraServer _a = new();
    private TesseraServer _b = null!;

    public async Task InitializeAsync()
    {
        _a.Settings["Tessera:Revocation:PollInterval"] = "00:00:00.050";
        _a.ConfigureServices = services => services.Configure<TesseraOptions>(o => o.Events.OnLoginRevoked = c =>
        {
            _revoked.Enqueue((c.UserId, c.LoginId, c.Reason, c.HttpContext is not null));
            return Task.CompletedTask;
        });
        await _a.InitializeAsync();
        _b = _a.AnotherInstance();
        _b.Settings["Tessera:Revocation:PollInterval"] = "00:00:00.050";
        await _b.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _b.DisposeAsync();
        await _a.DisposeAsync();
    }

    /// <summary>
    /// The subscription for in-process consumers (a WebSocket to close, an audit log): each instance's
    /// listeners hear a change once when it reaches that instance's memory, whichever instance made it.
    /// </summary>
    [Fact]
    public async Task A_logout_on_one_instance_is_heard_once_on_both()
    {
        var user = await _a.RegisterAsync();
        var onA = new ConcurrentQueue<AdmissionChange>();
        var onB = new ConcurrentQueue<AdmissionChange>();
        using var a = _a.Services.GetRequiredService<AppliedAdmissionChanges>().Subscribe(onA.Enqueue);
        using var b = _b.Services.GetRequiredService<AppliedAdmissionChanges>().Subscribe(onB.Enqueue);
        using var client = _a.CreateClient();

        Assert.Equal(205, (await client.PostJsonAsync("/api/logout/", new { refresh = user.Refresh }, user.Bearer)).Status);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (onB.IsEmpty && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        await Task.Delay(300); // both feeds read the change again meanwhile: neither tells it twice
        var here = Assert.Single(onA, c => c.Kind == AdmissionChangeKind.LoginRevoked);
        var there = Assert.Single(onB, c => c.Kind == AdmissionChangeKind.LoginRevoked);
        Assert.Equal(here, there);
        Assert.NotNull(here.LoginId);
    }

    [Fact]
    public async Task Jwt_logout()
    {
        var user = await _a.RegisterAsync();
        await AssertAdmittedOnBAsync(user.Bearer);
        using var client = _a.CreateClient();

        Assert.Equal(205, (await client.PostJsonAsync("/api/logout/", new { refresh = user.Refresh }, user.Bearer)).Status);

        await AssertToldOnceAsync(user, LoginRevocationReasons.Logout, LoginOf(user.Refresh));
        await AssertRefusedOnBAsync(user.Bearer);
    }

    [Fact]
    public async Task Session_logout()
    {
        var user = await _a.RegisterAsync();
        var browser = new Browser(_a);
        await browser.GetCsrfAsync();
        Assert.Equal(200, (await browser.LoginAsync(user.Username, user.Password)).Status);
        var cookie = browser.Cookies["sessionid"];
        Assert.Equal(200, await SessionStatusOnBAsync(cookie));

        Assert.Equal(200, (await browser.LogoutAsync()).Status);

        await AssertToldOnceAsync(user, LoginRevocationReasons.SessionLogout, login: null, aLogin: true);
        await WaitForAsync(async () => await SessionStatusOnBAsync(cookie) != 200, "the other instance refused the session");
        Assert.Equal(401, await SessionStatusOnBAsync(cookie));
    }

    [Fact]
    public async Task Drf_token_delete()
    {
        var user = await _a.RegisterAsync();
        using var client = _a.CreateClient();
        var token = (await client.PostJsonAsync("/api-token-auth/", new { username = user.Username, password = user.Password })).Str("token")!;
        var auth = new AuthenticationHeaderValue("Token", token);
        await AssertAdmittedOnBAsync(auth);

        Assert.Equal(204, (await client.SendJsonAsync(HttpMethod.Delete, $"/api/tokens/{token[..8]}/", auth: user.Bearer)).Status);

        await AssertToldOnceAsync(user, LoginRevocationReasons.TokenDeleted, login: null, aLogin: true);
        await AssertRefusedOnBAsync(auth);
    }

    [Fact]
    public async Task Api_key_revoke()
    {
        var user = await _a.RegisterAsync();
        using var client = _a.CreateClient();
        var created = await client.PostJsonAsync("/api/api-key/", new { name = "ci" }, user.Bearer);
        Assert.Equal(201, created.Status);
        var key = created.Str("api_key")!;
        Assert.Equal(200, await KeyStatusOnBAsync(key));

        Assert.Equal(204, (await client.SendJsonAsync(HttpMethod.Delete, $"/api/api-key/{created.Str("prefix")}/", auth: user.Bearer)).Status);

        await AssertToldOnceAsync(user, LoginRevocationReasons.ApiKeyDeleted, login: null, aLogin: true);
        await WaitForAsync(async () => await KeyStatusOnBAsync(key) != 200, "the other instance refused the key");
        Assert.Equal(401, await KeyStatusOnBAsync(key));
    }

    [Fact]
    public async Task Revoke_all()
    {
        var user = await _a.RegisterAsync();
        await AssertAdmittedOnBAsync(user.Bearer);
        using var client = _a.CreateClient();

        Assert.Equal(204, (await client.PostJsonAsync("/api/token/revoke-all/", null, user.Bearer)).Status);

        await AssertToldOnceAsync(user, LoginRevocationReasons.RevokeAll, login: null);
        await AssertRefusedOnBAsync(user.Bearer);
    }

    [Fact]
    public async Task Password_change()
    {
        var user = await _a.RegisterAsync();
        await AssertAdmittedOnBAsync(user.Bearer);
        using var client = _a.CreateClient();

        var change = await client.PostJsonAsync("/api/password/change/", new { old_password = user.Password, new_password = "An0ther-" + user.Password }, user.Bearer);

        Assert.Equal(200, change.Status);
        await AssertToldOnceAsync(user, LoginRevocationReasons.PasswordChange, login: null);
        await AssertRefusedOnBAsync(user.Bearer);
    }

    [Fact]
    public async Task Deactivation()
    {
        var user = await _a.RegisterAsync();
        using var client = _a.CreateClient();
        var key = (await client.PostJsonAsync("/api/api-key/", new { name = "ci" }, user.Bearer)).Str("api_key")!;
        await AssertAdmittedOnBAsync(user.Bearer);
        Assert.Equal(200, await KeyStatusOnBAsync(key));

        await _a.AdministerAsync(a => a.SetActiveAsync(user.Username, false));

        // Once for the change, although it also deleted the key (its login revoked with it); no request made it.
        await AssertToldOnceAsync(user, LoginRevocationReasons.Deactivation, login: null, inRequest: false);
        await AssertRefusedOnBAsync(user.Bearer);
        Assert.Equal(401, await KeyStatusOnBAsync(key));
    }

    private async Task AssertToldOnceAsync(RegisteredUser user, string reason, string? login, bool aLogin = false, bool inRequest = true)
    {
        var userId = await UserIdAsync(user);
        // Long enough for this instance's own feed to read the change back: it must not be told again.
        await Task.Delay(300);
        var told = Assert.Single(_revoked);
        Assert.Equal((userId, reason, inRequest), (told.UserId, told.Reason, told.InRequest));
        if (aLogin)
            Assert.True(LoginId.TryParse(told.LoginId, out _), $"not a login id: {told.LoginId}");
        else
            Assert.Equal(login, told.LoginId);
    }

    private async Task<long> UserIdAsync(RegisteredUser user)
    {
        await using var db = _a.CreateDbContext();
        return await db.AppUsers.Where(u => u.Username == user.Username).Select(u => u.Id).SingleAsync();
    }

    private static string LoginOf(string jwt)
    {
        var payload = jwt.Split('.')[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
        return JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload))).RootElement.GetProperty("lid").GetString()!;
    }

    private async Task AssertAdmittedOnBAsync(AuthenticationHeaderValue auth)
    {
        using var client = _b.CreateClient();
        Assert.Equal(200, (await client.GetJsonAsync("/api/hello/", auth)).Status);
    }

    private async Task AssertRefusedOnBAsync(AuthenticationHeaderValue auth)
    {
        using var client = _b.CreateClient();
        await WaitForAsync(async () => (await client.GetJsonAsync("/api/hello/", auth)).Status != 200, "the other instance refused the credential");
        Assert.Equal(401, (await client.GetJsonAsync("/api/hello/", auth)).Status);
    }

    private async Task<int> SessionStatusOnBAsync(string cookie)
    {
        using var client = _b.CreateClient();
        return (await client.SendJsonAsync(HttpMethod.Get, "/api/hello/", configure: r => r.Headers.Add("Cookie", $"sessionid={cookie}"))).Status;
    }

    private async Task<int> KeyStatusOnBAsync(string key)
    {
        using var client = _b.CreateClient();
        return (await client.SendJsonAsync(HttpMethod.Get, "/api/hello/", configure: r => r.Headers.Add("X-API-Key", key))).Status;
    }

    /// <summary>The feed is read every 50 ms here: a change reaches the other instance well within a few seconds.</summary>
    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting until {what}");
            await Task.Delay(20);
        }
    }
}
