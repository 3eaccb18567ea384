using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Tessera.AspNetCore.Authentication;
using Tessera.Core.Users;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Library;

/// <summary>
/// An app's own login page uses Tessera sessions through ASP.NET Core's standard abstraction:
/// <c>HttpContext.SignInAsync(TesseraSchemes.Session, principal)</c> and <c>SignOutAsync</c>, from
/// plain endpoints.
/// </summary>
[Trait("Storage", "Sqlite")] // its own SQLite deployment: run once, in the SQLite pass
public sealed class SessionSignInTests : IAsyncLifetime
{
    private readonly LibraryHost _host = new(tessera => tessera.AddJwt().AddSessions(), app =>
    {
        app.MapPost("/app/login", async (HttpContext c, PasswordSignIn signIn) =>
        {
            var form = await c.Request.ReadFormAsync();
            var user = await signIn.AuthenticateAsync(form["username"].ToString(), form["password"].ToString());
            if (user is null)
                return Results.Unauthorized();
            var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, user.Id.ToString())], "app-form"));
            await c.SignInAsync(TesseraSchemes.Session, principal, new AuthenticationProperties { IsPersistent = form["remember"] == "on" });
            return Results.Ok();
        }).AllowAnonymous();
        app.MapPost("/app/logout", async (HttpContext c) =>
        {
            await c.SignOutAsync(TesseraSchemes.Session);
            return Results.Ok();
        }).AllowAnonymous();
        app.MapGet("/app/me", (HttpContext c) => Results.Json(new { user = c.GetTesseraUser().User.Username, scheme = c.GetTesseraUser().Proof.Scheme }))
            .RequireAuthorization();
    });

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task SignInAsync_starts_a_session_that_authenticates_and_SignOutAsync_ends_it()
    {
        var (name, password) = await RegisterAsync();

        var login = await PostFormAsync("/app/login", [new("username", name), new("password", password), new("remember", "on")]);
        Assert.Equal(200, (int)login.StatusCode);
        var setCookies = login.Headers.GetValues("Set-Cookie").ToList();
        var session = Cookie(setCookies, "sessionid");
        Assert.Contains(setCookies, c => c.StartsWith("csrftoken=", StringComparison.Ordinal)); // rotated at login
        Assert.Contains("max-age=1209600", setCookies.Single(c => c.StartsWith("sessionid=", StringComparison.Ordinal)).ToLowerInvariant());

        var me = await GetWithCookieAsync("/app/me", session);
        Assert.Equal(200, me.Status);
        Assert.Equal(name, me.Str("user"));
        Assert.Equal(TesseraSchemes.Session, me.Str("scheme"));

        var logout = await PostFormAsync("/app/logout", [], session);
        Assert.Equal(200, (int)logout.StatusCode);
        Assert.Contains(logout.Headers.GetValues("Set-Cookie"), c => c.StartsWith("sessionid=;", StringComparison.Ordinal));
        Assert.Equal(401, (await GetWithCookieAsync("/app/me", session)).Status); // the row is gone, not just the cookie
    }

    [Fact]
    public async Task A_sign_in_without_remember_gives_a_browser_session_cookie()
    {
        var (name, password) = await RegisterAsync();

        var login = await PostFormAsync("/app/login", [new("username", name), new("password", password)]);

        var cookie = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("sessionid=", StringComparison.Ordinal)).ToLowerInvariant();
        Assert.DoesNotContain("max-age", cookie);
        Assert.DoesNotContain("expires", cookie);
        Assert.Equal(200, (await GetWithCookieAsync("/app/me", Cookie([cookie], "sessionid"))).Status);
    }

    [Fact]
    public async Task A_session_signed_in_this_way_ends_with_a_password_change_like_any_other()
    {
        var (name, password) = await RegisterAsync();
        var session = Cookie((await PostFormAsync("/app/login", [new("username", name), new("password", password)])).Headers.GetValues("Set-Cookie"), "sessionid");
        var pair = await _host.Client.PostJsonAsync("/api/token/", new { username = name, password });

        Assert.Equal(200, (await _host.Client.PostJsonAsync("/api/password/change/",
            new { old_password = password, new_password = password + "-N3w" }, Endpoints.EndpointKit.Bearer(pair.Str("access")!))).Status);

        Assert.Equal(401, (await GetWithCookieAsync("/app/me", session)).Status);
    }

    private async Task<(string Name, string Password)> RegisterAsync()
    {
        var name = "ss" + Guid.NewGuid().ToString("N")[..10];
        const string password = "S3cure-pass-word";
        Assert.Equal(201, (await _host.Client.PostJsonAsync("/api/register/", new { username = name, password })).Status);
        return (name, password);
    }

    private async Task<HttpResponseMessage> PostFormAsync(string path, KeyValuePair<string, string>[] fields, string? session = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) };
        if (session is not null)
            request.Headers.Add("Cookie", "sessionid=" + session);
        return await _host.Client.SendAsync(request);
    }

    private Task<ApiResponse> GetWithCookieAsync(string path, string session)
        => _host.Client.SendJsonAsync(HttpMethod.Get, path, configure: r => r.Headers.Add("Cookie", "sessionid=" + session));

    private static string Cookie(IEnumerable<string> setCookies, string name)
    {
        var header = setCookies.Single(c => c.StartsWith(name + "=", StringComparison.OrdinalIgnoreCase));
        var pair = header.Split(';')[0];
        return pair[(pair.IndexOf('=') + 1)..];
    }
}
