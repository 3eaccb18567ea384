using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Tessera.AspNetCore.Authentication;
using Tessera.AspNetCore.Authorization;
using Tessera.AspNetCore.FastPipeline;
using Tessera.Server.Tests.Infrastructure;
using static Tessera.Server.Tests.Endpoints.EndpointKit;

namespace Tessera.Server.Tests.Library;

/// <summary>
/// Issue 21: Tessera's fast pipeline (FastPipeline/: its authentication and authorization middlewares,
/// its policy shortcut, its refusals answered without a handler) answers every request as ASP.NET
/// Core's own <c>UseAuthentication()</c>/<c>UseAuthorization()</c> would: the same app, built once on
/// each, is sent the same requests, and each answer's status, <c>WWW-Authenticate</c>,
/// <c>Content-Type</c> and body are compared.
/// </summary>
[Trait("Storage", "Sqlite")] // its own SQLite deployments: run once, in the SQLite pass
public sealed class PipelineParityTests : IAsyncLifetime
{
    private const string Password = "S3cure-pass-word";
    private readonly LibraryHost _fast = Host(stock: false);
    private readonly LibraryHost _stock = Host(stock: true);

    public async Task InitializeAsync()
    {
        await _fast.InitializeAsync();
        await _stock.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _fast.DisposeAsync();
        await _stock.DisposeAsync();
    }

    private static LibraryHost Host(bool stock) => new(
        tessera =>
        {
            tessera.AddJwt().AddSessions().AddOpaqueTokens();
            if (stock)
                StockPipeline.Use(tessera.Services);
        },
        app =>
        {
            app.MapMethods("/protected/", ["GET", "POST"], (HttpContext c) => Results.Ok(new { user = c.User.Identity!.Name, scheme = c.User.Identity.AuthenticationType }))
                .RequireAuthorization();
            app.MapGet("/staff/", () => Results.Ok()).RequireAuthorization(TesseraPolicies.IsAdminUser);
            app.MapGet("/open/", (HttpContext c) => Results.Ok(new { user = c.User.Identity?.Name })).RequireAuthorization().AllowAnonymous();
            app.MapGet("/plain/", (HttpContext c) => Results.Ok(new { user = c.User.Identity?.Name }));
            app.MapMethods("/named/session/", ["GET", "POST"], (HttpContext c) => Results.Ok(new { user = c.User.Identity!.Name }))
                .RequireAuthorization(new AuthorizeAttribute { AuthenticationSchemes = TesseraSchemes.Session });
            app.MapGet("/named/jwt/", (HttpContext c) => Results.Ok(new { user = c.User.Identity!.Name }))
                .RequireAuthorization(new AuthorizeAttribute { AuthenticationSchemes = TesseraSchemes.Jwt });
            app.MapGet("/named/token/", (HttpContext c) => Results.Ok(new { user = c.User.Identity!.Name }))
                .RequireAuthorization(new AuthorizationPolicyBuilder(TesseraSchemes.Token).RequireAuthenticatedUser().Build());
            app.MapGet("/explicit/jwt/", async (HttpContext c) =>
            {
                var result = await c.AuthenticateAsync(TesseraSchemes.Jwt);
                return Results.Ok(new { succeeded = result.Succeeded, user = result.Principal?.Identity?.Name });
            });
        });

    [Fact]
    public async Task The_same_requests_get_the_same_answers_on_the_stock_pipeline()
    {
        // Two pipelines indeed: the stock evaluator on one, the shortcut on the other.
        Assert.IsType<PolicyEvaluator>(_stock.App.Services.GetRequiredService<IPolicyEvaluator>());
        Assert.IsType<TesseraPolicyEvaluator>(_fast.App.Services.GetRequiredService<IPolicyEvaluator>());
        var fast = await CasesAsync(_fast);
        var stock = await CasesAsync(_stock);
        Assert.Equal(stock.Select(c => c.Name), fast.Select(c => c.Name));
        for (var i = 0; i < fast.Count; i++)
        {
            Assert.True(stock[i].Answer == fast[i].Answer, $"{fast[i].Name}:\n  stock: {stock[i].Answer}\n  fast:  {fast[i].Answer}");
        }
        // The comparison compares something: refusals of each kind, and admissions.
        var statuses = fast.Select(c => c.Answer.Status).ToHashSet();
        Assert.Superset(new HashSet<int> { 200, 401, 403 }, statuses);
    }

    private sealed record Answer(int Status, string? WwwAuthenticate, string? ContentType, string Body);

    private static async Task<List<(string Name, Answer Answer)>> CasesAsync(LibraryHost host)
    {
        var client = host.Client;
        var user = await RegisterAsync(client, "parity");
        var revoked = await RegisterAsync(client, "parity-revoked");
        Assert.Equal(205, (await client.PostJsonAsync("/api/logout/", new { refresh = revoked.Refresh }, Bearer(revoked.Access))).Status);
        var (session, csrf) = await SessionAsync(client, "parity");
        var token = (await client.PostJsonAsync("/api-token-auth/", new { username = "parity", password = Password })).Str("token")!;
        var expired = Sign(Claims(user.Id, exp: NowSeconds - 60));

        var results = new List<(string, Answer)>();
        async Task Case(string name, string method, string path, params string[] headers)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (method == "POST")
                request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
            foreach (var header in headers)
            {
                var colon = header.IndexOf(':');
                request.Headers.TryAddWithoutValidation(header[..colon], header[(colon + 1)..].Trim());
            }
            using var response = await client.SendAsync(request);
            results.Add((name, new Answer(
                (int)response.StatusCode,
                response.Headers.TryGetValues("WWW-Authenticate", out var www) ? string.Join(", ", www) : null,
                response.Content.Headers.ContentType?.ToString(),
                await response.Content.ReadAsStringAsync())));
        }

        var bearer = $"Authorization: Bearer {user.Access}";
        var cookie = $"Cookie: sessionid={session}; csrftoken={csrf}";
        foreach (var path in new[] { "/protected/", "/open/", "/plain/", "/named/session/", "/named/jwt/", "/named/token/", "/explicit/jwt/" })
        {
            await Case($"anonymous {path}", "GET", path);
            await Case($"valid JWT {path}", "GET", path, bearer);
            await Case($"expired JWT {path}", "GET", path, $"Authorization: Bearer {expired}");
            await Case($"forged JWT {path}", "GET", path, $"Authorization: Bearer {Sign(Claims(user.Id), "another-key-0123456789-0123456789-0123456789")}");
            await Case($"revoked JWT {path}", "GET", path, $"Authorization: Bearer {revoked.Access}");
            await Case($"unknown scheme {path}", "GET", path, "Authorization: Foo bar");
            await Case($"DRF token {path}", "GET", path, $"Authorization: Token {token}");
            await Case($"unknown DRF token {path}", "GET", path, "Authorization: Token 0123456789abcdef0123456789abcdef01234567");
            await Case($"session GET {path}", "GET", path, cookie);
        }
        foreach (var path in new[] { "/protected/", "/named/session/" })
        {
            await Case($"session POST with CSRF {path}", "POST", path, cookie, $"X-CSRFToken: {csrf}");
            await Case($"session POST without CSRF {path}", "POST", path, cookie);
        }
        await Case("staff-only, not staff", "GET", "/staff/", bearer);
        await Case("staff-only, anonymous", "GET", "/staff/");
        await Case("staff-only, session", "GET", "/staff/", cookie);
        return results;
    }

    private sealed record Registered(long Id, string Access, string Refresh);

    private static async Task<Registered> RegisterAsync(HttpClient client, string name)
    {
        var r = await client.PostJsonAsync("/api/register/", new { username = name, password = Password });
        Assert.Equal(201, r.Status);
        return new Registered(UserId(r.Str("access")!), r.Str("access")!, r.Str("refresh")!);
    }

    private static async Task<(string Session, string Csrf)> SessionAsync(HttpClient client, string name)
    {
        using var csrfResponse = await client.GetAsync("/session/csrf/");
        var csrf = CookieOf(csrfResponse, "csrftoken");
        using var login = new HttpRequestMessage(HttpMethod.Post, "/session/login/") { Content = System.Net.Http.Json.JsonContent.Create(new { username = name, password = Password }) };
        login.Headers.Add("Cookie", $"csrftoken={csrf}");
        login.Headers.Add("X-CSRFToken", csrf);
        using var response = await client.SendAsync(login);
        Assert.Equal(200, (int)response.StatusCode);
        return (CookieOf(response, "sessionid"), CookieOf(response, "csrftoken"));
    }

    private static string CookieOf(HttpResponseMessage response, string name)
        => response.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).First(c => c.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..];
}
