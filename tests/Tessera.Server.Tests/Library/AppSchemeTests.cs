using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tessera.AspNetCore;
using Tessera.AspNetCore.Authentication;
using Tessera.Server.Tests.Infrastructure;
using static Tessera.Server.Tests.Endpoints.EndpointKit;

namespace Tessera.Server.Tests.Library;

/// <summary>
/// An app puts its own authentication scheme into the chain, after Tessera's (DRF's
/// authentication_classes with a class of its own last); <c>GetTesseraUser()</c> answers for a user
/// it authenticated, and a 403 — never a 500 — for a principal Tessera does not know.
/// </summary>
[Trait("Storage", "Sqlite")] // its own SQLite deployment: run once, in the SQLite pass
public sealed class AppSchemeTests : IAsyncLifetime
{
    private readonly LibraryHost _host = new(
        tessera =>
        {
            tessera.AddJwt().AddSchemeToChain(HeaderUserHandler.SchemeName);
            new AuthenticationBuilder(tessera.Services).AddScheme<AuthenticationSchemeOptions, HeaderUserHandler>(HeaderUserHandler.SchemeName, _ => { });
            tessera.Services.AddSingleton<IClaimsTransformation, MarkingTransformation>();
        },
        app =>
        {
            app.MapGet("/api/hello/", (HttpContext c) => Results.Json(new { user = c.GetTesseraUser().User.Username, scheme = c.GetTesseraUser().Proof.Scheme }))
                .RequireAuthorization();
            app.MapGet("/marks/", (HttpContext c) => Results.Json(new { marks = c.User.FindAll(MarkingTransformation.Claim).Count() })).RequireAuthorization();
        });

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task The_apps_scheme_comes_after_tesseras_and_its_user_is_a_tessera_user()
    {
        Assert.Equal([TesseraSchemes.Jwt, HeaderUserHandler.SchemeName], _host.App.Services.GetRequiredService<TesseraFeatures>().Chain);
        var (name, access) = await RegisterAsync();

        var byHeader = await HelloAsync(r => r.Headers.Add(HeaderUserHandler.Header, UserId(access).ToString()));
        Assert.Equal(200, byHeader.Status);
        Assert.Equal(name, byHeader.Str("user"));
        Assert.Equal(HeaderUserHandler.SchemeName, byHeader.Str("scheme"));

        // Both credentials: JWT is first in the chain, so it decides.
        var both = await HelloAsync(r =>
        {
            r.Headers.Authorization = Bearer(access);
            r.Headers.Add(HeaderUserHandler.Header, "999999999");
        });
        Assert.Equal(TesseraSchemes.Jwt, both.Str("scheme"));
    }

    [Fact]
    public async Task The_apps_claims_transformation_applies_once_whichever_scheme_decided()
    {
        var (_, access) = await RegisterAsync();
        var byJwt = await _host.Client.SendJsonAsync(HttpMethod.Get, "/marks/", configure: r => r.Headers.Authorization = Bearer(access));
        Assert.Equal("1", byJwt.Str("marks"));
        var byHeader = await _host.Client.SendJsonAsync(HttpMethod.Get, "/marks/", configure: r => r.Headers.Add(HeaderUserHandler.Header, UserId(access).ToString()));
        Assert.Equal("1", byHeader.Str("marks"));
    }

    /// <summary>An app's claims transformation: adds one claim to the principal, as ASP.NET Core's authentication service applies it.</summary>
    private sealed class MarkingTransformation : IClaimsTransformation
    {
        public const string Claim = "app:mark";

        public Task<ClaimsPrincipal> TransformAsync(ClaimsPrincipal principal)
        {
            var copy = principal.Clone();
            ((ClaimsIdentity)copy.Identity!).AddClaim(new Claim(Claim, "1"));
            return Task.FromResult(copy);
        }
    }

    [Fact]
    public async Task A_principal_tessera_does_not_know_is_a_403_not_a_500()
    {
        var r = await HelloAsync(m => m.Headers.Add(HeaderUserHandler.Header, "987654321"));

        Assert.Equal(403, r.Status);
        Assert.Equal(PermissionDenied, r.Str("detail"));
        Assert.Equal("application/json", r.ContentType);
    }

    private Task<ApiResponse> HelloAsync(Action<HttpRequestMessage> configure)
        => _host.Client.SendJsonAsync(HttpMethod.Get, "/api/hello/", configure: configure);

    private async Task<(string Name, string Access)> RegisterAsync()
    {
        var name = "as" + Guid.NewGuid().ToString("N")[..10];
        var r = await _host.Client.PostJsonAsync("/api/register/", new { username = name, password = "S3cure-pass-word" });
        Assert.Equal(201, r.Status);
        return (name, r.Str("access")!);
    }

    /// <summary>An app's scheme: trusts an <c>X-Test-User</c> header naming a user id (a gateway that authenticated upstream, say).</summary>
    private sealed class HeaderUserHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string SchemeName = "header";
        public const string Header = "X-Test-User";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (!Request.Headers.TryGetValue(Header, out var id))
                return Task.FromResult(AuthenticateResult.NoResult());
            var identity = new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, id.ToString())], SchemeName);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
        }
    }
}
