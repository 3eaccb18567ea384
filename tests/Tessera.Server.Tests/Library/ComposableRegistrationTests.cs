using System.Net.Http.Headers;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Tessera.AspNetCore;
using Tessera.AspNetCore.Authentication;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Library;

/// <summary>
/// An app that adds only some credential kinds gets only those: no scheme in the chain, no
/// endpoints, for the rest. Here a third-party host of the library with JWT alone.
/// </summary>
[Trait("Storage", "Sqlite")] // its own SQLite deployment: run once, in the SQLite pass
public sealed class ComposableRegistrationTests : IAsyncLifetime
{
    private readonly LibraryHost _host = new(
        tessera => tessera
            .AddJwt(o => o.AccessTokenLifetime = TimeSpan.FromMinutes(3))
            .AddJwt(), // twice: one registration
        app => app.MapGet("/whoami/", (HttpContext c) => Results.Json(new { user = c.GetTesseraUser().User.Username, scheme = c.GetTesseraUser().Proof.Scheme }))
            .RequireAuthorization());

    private HttpClient _client => _host.Client;

    private WebApplication _app => _host.App;

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task Jwt_alone_registers_logs_in_and_authenticates_with_its_own_settings()
    {
        var name = "lib" + Guid.NewGuid().ToString("N")[..10];
        var registered = await _client.PostJsonAsync("/api/register/", new { username = name, password = "S3cure-pass-word" });
        Assert.Equal(201, registered.Status);
        var access = registered.Str("access")!;

        var whoami = await _client.GetJsonAsync("/whoami/", new AuthenticationHeaderValue("Bearer", access));
        Assert.Equal(200, whoami.Status);
        Assert.Equal(name, whoami.Str("user"));
        Assert.Equal(TesseraSchemes.Jwt, whoami.Str("scheme"));

        // The Action<JwtOptions> applies over the section: a 3-minute access token.
        var payload = Endpoints.EndpointKit.Payload(access);
        Assert.Equal(180, payload.GetProperty("exp").GetInt64() - payload.GetProperty("iat").GetInt64());
    }

    [Theory]
    [InlineData("POST", "/session/login/")]
    [InlineData("GET", "/session/csrf/")]
    [InlineData("POST", "/api-token-auth/")]
    [InlineData("GET", "/api/tokens/")]
    [InlineData("POST", "/api/api-key/")]
    [InlineData("POST", "/api/password/reset/")]
    [InlineData("POST", "/api/email/verify/confirm/")]
    public async Task The_endpoints_of_kinds_not_added_are_absent(string method, string path)
    {
        var r = await _client.SendJsonAsync(new HttpMethod(method), path, new { username = "x", password = "y" });
        Assert.Equal(404, r.Status);
    }

    [Fact]
    public async Task The_schemes_of_kinds_not_added_are_not_in_the_chain()
    {
        var schemes = _app.Services.GetRequiredService<IAuthenticationSchemeProvider>();
        Assert.NotNull(await schemes.GetSchemeAsync(TesseraSchemes.Jwt));
        foreach (var absent in new[] { TesseraSchemes.Session, TesseraSchemes.Token, TesseraSchemes.Basic, TesseraSchemes.ApiKey })
            Assert.Null(await schemes.GetSchemeAsync(absent));
        Assert.Equal([TesseraSchemes.Jwt], _app.Services.GetRequiredService<TesseraFeatures>().Chain);

        // Credentials of the other kinds are no credentials here: 401 "not provided", not their refusals.
        foreach (var header in new[] { "Token " + new string('a', 40), "Basic " + Convert.ToBase64String("a:b"u8.ToArray()) })
        {
            var r = await _client.SendJsonAsync(HttpMethod.Get, "/whoami/", configure: m => m.Headers.TryAddWithoutValidation("Authorization", header));
            Assert.Equal(401, r.Status);
            Assert.Equal(Endpoints.EndpointKit.NotProvided, r.Str("detail"));
        }
        var key = await _client.SendJsonAsync(HttpMethod.Get, "/whoami/", configure: m => m.Headers.Add("X-API-Key", "tk_abcdefgh_" + new string('A', 32)));
        Assert.Equal(Endpoints.EndpointKit.NotProvided, key.Str("detail"));
    }
}
