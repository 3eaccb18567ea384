using System.Collections.Concurrent;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tessera.AspNetCore.Authentication;
using Tessera.AspNetCore.Authorization;
using Tessera.Server.Tests.Infrastructure;
using static Tessera.Server.Tests.Endpoints.EndpointKit;

namespace Tessera.Server.Tests.Library;

/// <summary>
/// Issue 20: the chain's challenges and denials are answered without ASP.NET Core's authentication
/// service and the handlers it builds, byte for byte as those handlers answer them (compared with the
/// same refusal reached by code that names the scheme, which still builds its handler); and where the
/// app changed what the stock path would do — a scheme that forwards its challenges, its own
/// authorization result handler, its own authentication service — the stock path answers.
/// </summary>
[Trait("Storage", "Sqlite")] // its own SQLite deployments: run once, in the SQLite pass
public sealed class RefusalPathTests : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, int> _built = new();
    private readonly LibraryHost _host;

    public RefusalPathTests()
    {
        _host = new LibraryHost(
            tessera =>
            {
                tessera.AddJwt().AddSessions().AddOpaqueTokens().AddBasic().AddApiKeys();
                tessera.Services.Replace(ServiceDescriptor.Scoped<IAuthenticationHandlerProvider>(sp =>
                    new CountingHandlerProvider(sp.GetRequiredService<IAuthenticationSchemeProvider>(), _built)));
            },
            app =>
            {
                app.MapMethods("/protected/", ["GET", "POST"], () => Results.Ok()).RequireAuthorization();
                app.MapGet("/staff/", () => Results.Ok()).RequireAuthorization(TesseraPolicies.IsAdminUser);
                // Code that names the scheme: the stock path, through the scheme's own handler.
                app.MapMethods("/named/{scheme}/challenge/", ["GET", "POST"], (HttpContext c, string scheme) => c.ChallengeAsync(scheme)).AllowAnonymous();
                app.MapGet("/named/{scheme}/forbid/", (HttpContext c, string scheme) => c.ForbidAsync(scheme)).AllowAnonymous();
            });
    }

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task Every_refusal_is_answered_byte_for_byte_as_its_schemes_handler_answers_it()
    {
        var (userId, access) = await RegisterAsync();
        var session = await SessionAsync();
        (string Case, string Method, string[] Headers, string Scheme)[] refusals =
        [
            ("no credentials", "GET", [], TesseraSchemes.Jwt),
            ("a JWT signed with another key", "GET", [$"Authorization: Bearer {Sign(Claims(userId), "another-key-0123456789-0123456789-0123456789")}"], TesseraSchemes.Jwt),
            ("an expired JWT", "GET", [$"Authorization: Bearer {Sign(Claims(userId, exp: NowSeconds - 60))}"], TesseraSchemes.Jwt),
            ("a JWT of a user that does not exist", "GET", [$"Authorization: Bearer {Sign(Claims(987654321L))}"], TesseraSchemes.Jwt),
            ("a Bearer header of three words", "GET", ["Authorization: Bearer a b"], TesseraSchemes.Jwt),
            ("a DRF token never minted", "GET", ["Authorization: Token 0123456789abcdef0123456789abcdef01234567"], TesseraSchemes.Token),
            ("a DRF token header with no token", "GET", ["Authorization: Token"], TesseraSchemes.Token),
            ("an API key never minted", "GET", ["X-API-Key: tk_abcdefgh_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"], TesseraSchemes.ApiKey),
            ("a Basic pair that does not sign in", "GET", ["Authorization: Basic dTpw"], TesseraSchemes.Basic),
            ("a session without its CSRF token (403)", "POST", [$"Cookie: sessionid={session}"], TesseraSchemes.Session),
        ];
        foreach (var (name, method, headers, scheme) in refusals)
        {
            _built.Clear();
            var direct = await RawHttp.SendAsync(_host.Client.BaseAddress!, method, "/protected/", headers);
            Assert.True(_built.IsEmpty, $"{name}: built {string.Join(", ", _built.Keys)}");
            var named = await RawHttp.SendAsync(_host.Client.BaseAddress!, method, $"/named/{scheme}/challenge/", headers);
            Assert.Equal(1, _built.GetValueOrDefault(scheme)); // the stock path still answers code that names the scheme

            Assert.True(direct.Status is 401 or 403, $"{name}: {direct.Status} {direct.Body}");
            Assert.Equal(WithoutDate(named.Head), WithoutDate(direct.Head));
            Assert.Equal(named.Body, direct.Body);
        }
    }

    [Fact]
    public async Task A_denial_is_answered_byte_for_byte_as_the_schemes_handler_answers_it()
    {
        var (_, access) = await RegisterAsync();
        string[] headers = [$"Authorization: Bearer {access}"];
        _built.Clear();
        var direct = await RawHttp.SendAsync(_host.Client.BaseAddress!, "GET", "/staff/", headers);
        Assert.True(_built.IsEmpty);
        var named = await RawHttp.SendAsync(_host.Client.BaseAddress!, "GET", $"/named/{TesseraSchemes.Jwt}/forbid/", headers);
        Assert.Equal(1, _built.GetValueOrDefault(TesseraSchemes.Jwt));

        Assert.Equal(403, direct.Status);
        Assert.Equal(WithoutDate(named.Head), WithoutDate(direct.Head));
        Assert.Equal(named.Body, direct.Body);
        Assert.Contains(PermissionDenied, direct.Body);
    }

    [Fact]
    public async Task A_scheme_whose_options_forward_its_challenges_still_forwards_them()
    {
        await using var host = await StartAsync(tessera =>
        {
            tessera.AddJwt(configureScheme: o => o.ForwardChallenge = GateHandler.SchemeName);
            tessera.Services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, GateHandler>(GateHandler.SchemeName, _ => { });
        });

        var anonymous = await host.Client.GetJsonAsync("/protected/");
        Assert.Equal(401, anonymous.Status);
        Assert.Equal(GateHandler.SchemeName, anonymous.WwwAuthenticate());
        Assert.Equal("True", anonymous.Str("gate")); // JsonElement.ToString of true
    }

    [Fact]
    public async Task An_apps_authorization_result_handler_still_answers()
    {
        await using var host = await StartAsync(tessera =>
        {
            tessera.AddJwt();
            tessera.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, MarkingResultHandler>();
        });

        var anonymous = await host.Client.GetJsonAsync("/protected/");
        Assert.Equal(401, anonymous.Status);
        Assert.Equal(NotProvided, anonymous.Str("detail"));
        Assert.True(anonymous.Headers.Contains(MarkingResultHandler.Header));
    }

    [Fact]
    public async Task An_apps_authentication_service_still_answers_the_chains_challenges_and_denials()
    {
        var challenges = new ConcurrentQueue<string?>();
        await using var host = await StartAsync(tessera =>
        {
            tessera.AddJwt();
            tessera.Services.AddSingleton(challenges);
            tessera.Services.AddScoped<IAuthenticationService, CountingAuthenticationService>();
        });

        var anonymous = await host.Client.GetJsonAsync("/protected/");
        Assert.Equal(401, anonymous.Status);
        Assert.Equal(NotProvided, anonymous.Str("detail"));
        Assert.Equal(BearerRealm, anonymous.WwwAuthenticate());
        // The chain's challenge (no scheme named), then the one the chain passes to JWT's handler.
        Assert.Equal([null, TesseraSchemes.Jwt], challenges);
    }

    private static string WithoutDate(string head)
        => string.Join("\r\n", head.Split("\r\n").Where(line => !line.StartsWith("Date:", StringComparison.OrdinalIgnoreCase)));

    private async Task<(long UserId, string Access)> RegisterAsync()
    {
        var name = "rp" + Guid.NewGuid().ToString("N")[..10];
        var r = await _host.Client.PostJsonAsync("/api/register/", new { username = name, password = "S3cure-pass-word" });
        Assert.Equal(201, r.Status);
        var access = r.Str("access")!;
        return (UserId(access), access);
    }

    /// <summary>A session of a new user, through Tessera's own login (CSRF cookie and header).</summary>
    private async Task<string> SessionAsync()
    {
        var name = "rs" + Guid.NewGuid().ToString("N")[..10];
        Assert.Equal(201, (await _host.Client.PostJsonAsync("/api/register/", new { username = name, password = "S3cure-pass-word" })).Status);
        using var csrf = await _host.Client.GetAsync("/session/csrf/");
        var csrfToken = CookieOf(csrf, "csrftoken");
        using var login = new HttpRequestMessage(HttpMethod.Post, "/session/login/") { Content = System.Net.Http.Json.JsonContent.Create(new { username = name, password = "S3cure-pass-word" }) };
        login.Headers.Add("Cookie", $"csrftoken={csrfToken}");
        login.Headers.Add("X-CSRFToken", csrfToken);
        using var response = await _host.Client.SendAsync(login);
        Assert.Equal(200, (int)response.StatusCode);
        return CookieOf(response, "sessionid");
    }

    private static string CookieOf(HttpResponseMessage response, string name)
        => response.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).First(c => c.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..];

    /// <summary>A host of its own with <c>/protected/</c>, for a registration that changes the stock path.</summary>
    private static async Task<OwnedHost> StartAsync(Action<Tessera.AspNetCore.TesseraBuilder> addKinds)
    {
        var host = new LibraryHost(addKinds, app => app.MapGet("/protected/", () => Results.Ok()).RequireAuthorization());
        await host.InitializeAsync();
        return new OwnedHost(host);
    }

    private sealed class OwnedHost(LibraryHost host) : IAsyncDisposable
    {
        public HttpClient Client => host.Client;

        public async ValueTask DisposeAsync() => await host.DisposeAsync();
    }

    private sealed class CountingHandlerProvider(IAuthenticationSchemeProvider schemes, ConcurrentDictionary<string, int> built) : IAuthenticationHandlerProvider
    {
        private readonly AuthenticationHandlerProvider _inner = new(schemes);

        public Task<IAuthenticationHandler?> GetHandlerAsync(HttpContext context, string authenticationScheme)
        {
            built.AddOrUpdate(authenticationScheme, 1, (_, n) => n + 1);
            return _inner.GetHandlerAsync(context, authenticationScheme);
        }
    }

    /// <summary>An app's scheme that JWT's options send challenges to: its own 401.</summary>
    private sealed class GateHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string SchemeName = "gate";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync() => Task.FromResult(AuthenticateResult.NoResult());

        protected override Task HandleChallengeAsync(AuthenticationProperties properties)
        {
            Response.StatusCode = 401;
            Response.Headers.WWWAuthenticate = SchemeName;
            return Response.WriteAsJsonAsync(new { gate = true });
        }
    }

    /// <summary>An app's result handler: the stock answers, marked.</summary>
    private sealed class MarkingResultHandler : IAuthorizationMiddlewareResultHandler
    {
        public const string Header = "X-App-Result";
        private readonly AuthorizationMiddlewareResultHandler _stock = new();

        public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
        {
            context.Response.Headers[Header] = "1";
            return _stock.HandleAsync(next, context, policy, authorizeResult);
        }
    }

    /// <summary>An app's authentication service: the stock one, counting the challenges it is asked for.</summary>
    private sealed class CountingAuthenticationService(
        IAuthenticationSchemeProvider schemes, IAuthenticationHandlerProvider handlers, IClaimsTransformation transform,
        IOptions<AuthenticationOptions> options, ConcurrentQueue<string?> challenges)
        : AuthenticationService(schemes, handlers, transform, options)
    {
        public override Task ChallengeAsync(HttpContext context, string? scheme, AuthenticationProperties? properties)
        {
            challenges.Enqueue(scheme);
            return base.ChallengeAsync(context, scheme, properties);
        }
    }
}
