using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Credentials;

[Collection(ServerCollection.Name)]
public sealed class SessionTests(TesseraServer server)
{
    [Fact]
    public async Task Login_issues_a_new_session_id_and_csrf_secret_so_a_planted_session_is_never_logged_in()
    {
        var user = await server.RegisterAsync();
        var browser = new Browser(server);
        await browser.GetCsrfAsync();
        // An attacker plants a session cookie of their own (a live one: they logged in themselves).
        var attacker = new Browser(server);
        await attacker.GetCsrfAsync();
        var attackerUser = await server.RegisterAsync();
        Assert.Equal(200, (await attacker.LoginAsync(attackerUser.Username, attackerUser.Password)).Status);
        browser.Cookies["sessionid"] = attacker.Cookies["sessionid"];
        var csrfBefore = browser.Cookies["csrftoken"];

        var login = await browser.LoginAsync(user.Username, user.Password);

        Assert.Equal(200, login.Status);
        Assert.NotEqual(attacker.Cookies["sessionid"], browser.Cookies["sessionid"]);
        Assert.NotEqual(csrfBefore, browser.Cookies["csrftoken"]);
        // The planted id was flushed: it authenticates nobody any more.
        var planted = await attacker.GetAsync("/session/profile/");
        Assert.Equal(401, planted.Status);
        var mine = await browser.GetAsync("/session/profile/");
        Assert.Equal(user.Username, mine.Str("username"));
    }

    [Fact]
    public async Task Session_cookie_is_HttpOnly_SameSite_Lax_for_two_weeks()
    {
        var user = await server.RegisterAsync();
        var browser = new Browser(server);
        await browser.GetCsrfAsync();
        var login = await browser.LoginAsync(user.Username, user.Password);
        var cookie = login.SetCookies.Single(c => c.StartsWith("sessionid=", StringComparison.Ordinal)).ToLowerInvariant();
        Assert.Contains("httponly", cookie);
        Assert.Contains("samesite=lax", cookie);
        Assert.Contains("max-age=1209600", cookie);
        Assert.DoesNotContain("secure", cookie); // plain HTTP here; Secure is set over HTTPS
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-token-0000000000000000000")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task Unsafe_request_on_a_session_without_the_right_csrf_token_is_refused(string? header)
    {
        var user = await server.RegisterAsync();
        var browser = new Browser(server);
        await browser.GetCsrfAsync();
        await browser.LoginAsync(user.Username, user.Password);

        var post = await browser.PostAsync("/api/tasks/", new { title = "x" }, csrf: header);

        Assert.Equal(403, post.Status);
        Assert.StartsWith("CSRF Failed", post.Str("detail"));
        await using var db = server.CreateDbContext();
        Assert.False(await db.Tasks.AnyAsync(t => t.Title == "x" && db.Users.Any(u => u.Id == t.OwnerId && u.Username == user.Username)));
    }

    [Fact]
    public async Task Csrf_token_from_the_endpoint_is_masked_and_accepted_like_the_cookie()
    {
        var user = await server.RegisterAsync();
        var browser = new Browser(server);
        await browser.GetCsrfAsync();
        await browser.LoginAsync(user.Username, user.Password);
        var masked = (await browser.GetAsync("/session/csrf/")).Str("csrfToken")!;
        Assert.Equal(64, masked.Length);
        Assert.NotEqual(browser.Cookies["csrftoken"], masked);

        var post = await browser.PostAsync("/api/tasks/", new { title = "masked" }, csrf: masked);

        Assert.Equal(201, post.Status);
    }

    [Fact]
    public async Task Foreign_origin_is_refused_even_with_the_right_token()
    {
        var user = await server.RegisterAsync();
        var browser = new Browser(server);
        await browser.GetCsrfAsync();
        await browser.LoginAsync(user.Username, user.Password);

        var post = await browser.PostAsync("/api/tasks/", new { title = "x" }, csrf: browser.Cookies["csrftoken"], origin: "http://evil.example");

        Assert.Equal(403, post.Status);
        Assert.Contains("Origin checking failed", post.Str("detail"));
    }

    [Fact]
    public async Task Logout_flushes_the_session_on_the_server()
    {
        var user = await server.RegisterAsync();
        var browser = new Browser(server);
        await browser.GetCsrfAsync();
        await browser.LoginAsync(user.Username, user.Password);
        var stolen = browser.Cookies["sessionid"];

        var logout = await browser.PostAsync("/session/logout/", null, csrf: browser.Cookies["csrftoken"]);

        Assert.Equal(200, logout.Status);
        var thief = new Browser(server);
        thief.Cookies["sessionid"] = stolen;
        Assert.Equal(401, (await thief.GetAsync("/session/profile/")).Status);
        Assert.Equal(401, (await thief.GetAsync("/home/")).Status);
    }

    [Fact]
    public async Task Database_holds_only_the_hash_of_the_session_id()
    {
        var user = await server.RegisterAsync();
        var browser = new Browser(server);
        await browser.GetCsrfAsync();
        await browser.LoginAsync(user.Username, user.Password);
        var key = browser.Cookies["sessionid"];

        await using var db = server.CreateDbContext();
        var hashes = await db.Sessions.Select(s => s.KeyHash).ToListAsync();
        Assert.DoesNotContain(key, hashes);
        Assert.Contains(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key))), hashes);
    }
}
