using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Server.Tests.Infrastructure;
using Tessera.Server.Tests.RealTime;

namespace Tessera.Server.Tests.Endpoints;

/// <summary>
/// <c>Tessera:Jwt:AccessTokenCookie</c> (the seed's <c>get_token_from_request</c>): the token endpoints
/// put the access token in an HttpOnly cookie, the JWT scheme reads it after the <c>Authorization</c>
/// header, unsafe methods then pass Django's CSRF check as sessions do, and a cookie that no longer
/// proves a login is no credential, as a stale session cookie is none.
/// </summary>
public sealed class AccessTokenCookieTests : IAsyncLifetime
{
    private const string NotProvided = """{"detail":"Authentication credentials were not provided."}""";

    private readonly ShiftedTimeProvider _clock = new();
    private readonly TesseraServer _server = new();

    public Task InitializeAsync()
    {
        _server.Settings["Tessera:Jwt:AccessTokenCookie"] = "access_token";
        _server.ConfigureServices = services => services.AddSingleton<TimeProvider>(_clock);
        return _server.InitializeAsync();
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    private async Task<(RegisteredUser User, Browser Browser, BrowserResponse Login)> SignedInBrowserAsync()
    {
        var user = await _server.RegisterAsync("ck");
        var browser = new Browser(_server);
        var login = await browser.PostAsync("/api/token/", new { username = user.Username, password = user.Password }, csrf: null);
        Assert.Equal(200, login.Status);
        return (user, browser, login);
    }

    [Fact]
    public async Task Obtain_sets_an_HttpOnly_cookie_with_the_access_token_and_a_csrf_cookie()
    {
        var (_, browser, login) = await SignedInBrowserAsync();

        var cookie = Assert.Single(login.SetCookies, c => c.StartsWith("access_token=", StringComparison.Ordinal));
        Assert.Equal("access_token=" + login.Str("access"), cookie.Split(';')[0]);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("expires=", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.True(browser.Cookies.ContainsKey("csrftoken"), "the page needs Django's CSRF cookie for its unsafe requests");
    }

    [Fact]
    public async Task The_cookie_alone_authenticates_a_safe_request()
    {
        var (user, browser, _) = await SignedInBrowserAsync();

        var profile = await browser.GetAsync("/api/profile/");

        Assert.Equal(200, profile.Status);
        Assert.Equal(user.Username, profile.Str("username"));
    }

    [Fact]
    public async Task The_Authorization_header_comes_before_the_cookie()
    {
        var (_, browser, _) = await SignedInBrowserAsync();
        var other = await _server.RegisterAsync("hd");
        using var client = _server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/profile/");
        request.Headers.Authorization = other.Bearer;
        request.Headers.Add("Cookie", "access_token=" + browser.Cookies["access_token"]);

        var profile = await ApiResponse.ReadAsync(await client.SendAsync(request));

        Assert.Equal(200, profile.Status);
        Assert.Equal(other.Username, profile.Str("username"));
    }

    [Fact]
    public async Task An_unsafe_request_by_cookie_needs_the_csrf_header()
    {
        var (user, browser, _) = await SignedInBrowserAsync();

        var without = await browser.PostAsync("/api/token/revoke-all/", null, csrf: null);
        Assert.Equal(403, without.Status);
        Assert.Equal("""{"detail":"CSRF Failed: CSRF token missing or incorrect."}""", without.Json.GetRawText());

        var wrong = await browser.PostAsync("/api/token/revoke-all/", null, csrf: new string('a', 32));
        Assert.Equal(403, wrong.Status);

        // Still signed in: the refused requests changed nothing.
        Assert.Equal(200, (await browser.GetAsync("/api/profile/")).Status);

        var with = await browser.PostAsync("/api/token/revoke-all/", null, csrf: browser.Cookies["csrftoken"]);
        Assert.Equal(204, with.Status);
        using var client = _server.CreateClient();
        Assert.Equal(401, (await client.GetJsonAsync("/api/profile/", user.Bearer)).Status);
    }

    [Fact]
    public async Task An_unsafe_request_by_cookie_from_a_foreign_origin_is_refused_even_with_the_csrf_header()
    {
        var (_, browser, _) = await SignedInBrowserAsync();

        var forged = await browser.PostAsync("/api/token/revoke-all/", null, csrf: browser.Cookies["csrftoken"], origin: "https://evil.example");

        Assert.Equal(403, forged.Status);
        Assert.Equal("""{"detail":"CSRF Failed: Origin checking failed - https://evil.example does not match any trusted origins."}""", forged.Json.GetRawText());
        Assert.Equal(200, (await browser.GetAsync("/api/profile/")).Status);
    }

    [Fact]
    public async Task The_same_request_with_a_bearer_header_needs_no_csrf()
    {
        var user = await _server.RegisterAsync("nb");
        using var client = _server.CreateClient();

        var revoked = await client.PostJsonAsync("/api/token/revoke-all/", null, user.Bearer);

        Assert.Equal(204, revoked.Status);
    }

    [Fact]
    public async Task A_cookie_of_an_expired_token_is_no_credential_and_the_browser_can_sign_in_again()
    {
        var (user, browser, _) = await SignedInBrowserAsync();
        _clock.Advance(TimeSpan.FromMinutes(16)); // past the access token's 15 minutes

        var profile = await browser.GetAsync("/api/profile/");
        Assert.Equal(401, profile.Status);
        Assert.Equal(NotProvided, profile.Json.GetRawText());

        var again = await browser.PostAsync("/api/token/", new { username = user.Username, password = user.Password }, csrf: null);
        Assert.Equal(200, again.Status);
        Assert.Equal(200, (await browser.GetAsync("/api/profile/")).Status);
    }

    [Fact]
    public async Task A_cookie_of_a_revoked_login_or_a_forged_token_is_no_credential()
    {
        var (user, browser, login) = await SignedInBrowserAsync();
        using var client = _server.CreateClient();
        Assert.Equal(204, (await client.PostJsonAsync("/api/token/revoke-all/", null, new AuthenticationHeaderValue("Bearer", login.Str("access")))).Status);

        var revoked = await browser.GetAsync("/api/profile/");
        Assert.Equal(401, revoked.Status);
        Assert.Equal(NotProvided, revoked.Json.GetRawText());

        browser.Cookies["access_token"] = "e30.e30.forged";
        var forged = await browser.GetAsync("/api/profile/");
        Assert.Equal(401, forged.Status);
        Assert.Equal(NotProvided, forged.Json.GetRawText());

        var again = await browser.PostAsync("/api/token/", new { username = user.Username, password = user.Password }, csrf: null);
        Assert.Equal(200, again.Status);
    }

    /// <summary>
    /// Cross-site WebSocket hijacking: a page of another site opens a socket, and the browser sends the
    /// cookie with it. The cookie's token opens the socket only from an allowed Origin; the same token in
    /// a header (which no page can make a browser send) opens it from anywhere.
    /// </summary>
    [Fact]
    public async Task A_websocket_opened_by_the_cookie_needs_an_allowed_origin()
    {
        var (user, browser, login) = await SignedInBrowserAsync();
        var cookie = "access_token=" + browser.Cookies["access_token"];

        var refused = await WebSocketKit.UpgradeAsync(_server.BaseAddress, "/ws/echo/", ("Cookie", cookie), ("Origin", "http://evil.example"));
        Assert.Equal(403, refused.Status);
        Assert.Equal("""{"detail":"CSRF Failed: Origin checking failed - http://evil.example does not match any trusted origins."}""", refused.Body);

        using (var own = await WebSocketKit.OpenEchoAsync(_server.BaseAddress, user.Username, o =>
        {
            o.SetRequestHeader("Cookie", cookie);
            o.SetRequestHeader("Origin", _server.BaseAddress.GetLeftPart(UriPartial.Authority));
        }))
            await WebSocketKit.AssertEchoesAsync(own);

        using var header = await WebSocketKit.OpenEchoAsync(_server.BaseAddress, user.Username, o =>
        {
            o.SetRequestHeader("Authorization", "Bearer " + login.Str("access"));
            o.SetRequestHeader("Origin", "http://evil.example");
        });
        await WebSocketKit.AssertEchoesAsync(header);
    }

    [Fact]
    public async Task Refresh_renews_the_cookie_and_logout_removes_it()
    {
        var (_, browser, login) = await SignedInBrowserAsync();
        var first = browser.Cookies["access_token"];
        _clock.Advance(TimeSpan.FromSeconds(2)); // a later iat: another token

        var refreshed = await browser.PostAsync("/api/token/refresh/", new { refresh = login.Str("refresh") }, csrf: browser.Cookies["csrftoken"]);
        Assert.Equal(200, refreshed.Status);
        Assert.Equal(refreshed.Str("access"), browser.Cookies["access_token"]);
        Assert.NotEqual(first, browser.Cookies["access_token"]);

        var logout = await browser.PostAsync("/api/logout/", new { refresh = refreshed.Str("refresh") }, csrf: browser.Cookies["csrftoken"]);
        Assert.Equal(205, logout.Status);
        Assert.Contains(logout.SetCookies, c => c.StartsWith("access_token=;", StringComparison.Ordinal));
        Assert.False(browser.Cookies.ContainsKey("access_token"));
        Assert.Equal(401, (await browser.GetAsync("/api/profile/")).Status);
    }
}

/// <summary>Without <c>Tessera:Jwt:AccessTokenCookie</c> (the server's default) no cookie is written or read.</summary>
[Collection(ServerCollection.Name)]
public sealed class AccessTokenCookieOffTests(TesseraServer server)
{
    [Fact]
    public async Task No_cookie_is_set_and_an_access_token_cookie_is_ignored()
    {
        var user = await server.RegisterAsync("nc");
        var browser = new Browser(server);

        var login = await browser.PostAsync("/api/token/", new { username = user.Username, password = user.Password }, csrf: null);
        Assert.Equal(200, login.Status);
        Assert.DoesNotContain(login.SetCookies, c => c.StartsWith("access_token=", StringComparison.Ordinal));

        browser.Cookies["access_token"] = login.Str("access")!;
        var profile = await browser.GetAsync("/api/profile/");
        Assert.Equal(401, profile.Status);
    }
}
