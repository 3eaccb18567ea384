using System.Collections.Concurrent;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Tessera.AspNetCore.Authentication;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Credentials;

/// <summary>
/// A request is authenticated without building an authentication handler: the chain calls Tessera's
/// credential schemes directly, and only the scheme whose credential the request could carry is
/// asked to prove it; an anonymous request asks none. Counted in handlers the authentication system
/// built and in proofs each credential scheme was asked for. Nor is one built to refuse a request.
/// </summary>
public sealed class AnonymousRequestTests : IAsyncLifetime
{
    private static readonly ConcurrentDictionary<string, int> Built = new();
    private static readonly ConcurrentDictionary<string, int> Proved = new();
    private readonly TesseraServer _server = new();

    public Task InitializeAsync()
    {
        _server.ConfigureServices = services =>
        {
            services.Replace(ServiceDescriptor.Scoped<IAuthenticationHandlerProvider, CountingHandlerProvider>());
            // Each of Tessera's credential schemes, wrapped so that its proofs are counted.
            foreach (var registered in services.Where(d => d.ServiceType == typeof(ICredentialScheme)).ToList())
            {
                services.Remove(registered);
                services.AddSingleton<ICredentialScheme>(sp => new CountingScheme((ICredentialScheme)registered.ImplementationFactory!(sp)));
            }
        };
        return _server.InitializeAsync();
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task An_anonymous_request_asks_no_scheme_and_builds_no_handler()
    {
        var user = await _server.RegisterAsync();
        using var client = _server.CreateClient();
        Built.Clear();
        Proved.Clear();

        for (var i = 0; i < 20; i++)
            Assert.Equal(200, (await client.GetJsonAsync("/ping/")).Status);
        Assert.Empty(Proved);
        Assert.Empty(Built);

        // With a credential, its scheme proves it, and still no handler is built to admit it.
        for (var i = 0; i < 20; i++)
            Assert.Equal(200, (await client.GetJsonAsync("/api/hello/", user.Bearer)).Status);
        Assert.Equal(20, Proved.GetValueOrDefault(TesseraSchemes.Jwt));
        Assert.Empty(Built);

        // Without one, a protected endpoint still challenges, in the first scheme's words, and builds no handler to.
        var anonymous = await client.GetJsonAsync("/api/hello/");
        Assert.Equal(401, anonymous.Status);
        Assert.Equal("Bearer realm=\"api\"", anonymous.Headers.WwwAuthenticate.ToString());
        Assert.Equal(20, Proved.GetValueOrDefault(TesseraSchemes.Jwt));
        Assert.Empty(Built);
    }

    [Fact]
    public async Task A_refused_credential_is_proved_once_and_refused_without_a_handler()
    {
        using var client = _server.CreateClient();
        Proved.Clear();
        Built.Clear();
        var hello = await client.SendJsonAsync(HttpMethod.Get, "/api/hello/", configure: m => m.Headers.TryAddWithoutValidation("Authorization", "Basic dTpw"));
        Assert.Equal(401, hello.Status);
        Assert.Equal("Invalid username/password.", hello.Str("detail"));
        Assert.Equal("Basic realm=\"api\"", hello.Headers.WwwAuthenticate.ToString());
        Assert.Equal(1, Proved.GetValueOrDefault(TesseraSchemes.Basic)); // one password check, not two
        Assert.Empty(Built);
    }

    /// <summary>
    /// Issue 20: a flood of garbage credentials must cost no more than the admissions it displaces, so
    /// a refusal — of any kind, or a denial — builds no authentication handler (nor the service's
    /// scope of them), though it answers in the same words, with the same header.
    /// </summary>
    [Theory]
    [InlineData("Authorization", "Bearer x.y.z", 401, "Given token not valid for any token type", "Bearer realm=\"api\"")]
    [InlineData("Authorization", "Bearer a b", 401, "Authorization header must contain two space-delimited values", "Bearer realm=\"api\"")]
    [InlineData("Authorization", "Token 0123456789abcdef0123456789abcdef01234567", 401, "Invalid token.", "Token")]
    [InlineData("Authorization", "Token", 401, "Invalid token header. No credentials provided.", "Token")]
    [InlineData("X-API-Key", "tk_abcdefgh_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 401, "Invalid API key", "ApiKey realm=\"api\"")]
    [InlineData("X-API-Key", "not a key", 401, "Invalid API key", "ApiKey realm=\"api\"")]
    [InlineData("X-Nothing", "", 401, "Authentication credentials were not provided.", "Bearer realm=\"api\"")]
    public async Task A_refusal_of_any_kind_builds_no_handler(string header, string value, int status, string detail, string authenticate)
    {
        using var client = _server.CreateClient();
        Built.Clear();
        for (var i = 0; i < 3; i++)
        {
            var hello = await client.SendJsonAsync(HttpMethod.Get, "/api/hello/", configure: m => m.Headers.TryAddWithoutValidation(header, value));
            Assert.Equal(status, hello.Status);
            Assert.Equal(detail, hello.Str("detail"));
            Assert.Equal(authenticate, hello.Headers.WwwAuthenticate.ToString());
            Assert.Equal("application/json", hello.ContentType);
        }
        Assert.Empty(Built);
    }

    [Fact]
    public async Task A_denial_builds_no_handler()
    {
        var user = await _server.RegisterAsync();
        using var client = _server.CreateClient();
        Built.Clear();
        var admin = await client.GetJsonAsync("/api/admin-only/", user.Bearer);
        Assert.Equal(403, admin.Status);
        Assert.Equal("You do not have permission to perform this action.", admin.Str("detail"));
        Assert.Empty(Built);
    }

    [Theory]
    [InlineData("X-API-Key", "tk_abcdefgh_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "Invalid API key")]
    [InlineData("Authorization", "Token 0000000000000000000000000000000000000000", "Invalid token.")]
    public async Task A_credential_in_any_of_the_headers_is_still_looked_at(string header, string value, string refusal)
    {
        using var client = _server.CreateClient();
        var hello = await client.SendJsonAsync(HttpMethod.Get, "/api/hello/", configure: m => m.Headers.TryAddWithoutValidation(header, value));
        Assert.Equal(401, hello.Status);
        Assert.Equal(refusal, hello.Str("detail"));
    }

    [Theory]
    [InlineData("X-API-Key", "tk_abcdefgh_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "api_key")]
    [InlineData("Authorization", "Token 0000000000000000000000000000000000000000", "token")]
    [InlineData("Authorization", "basic dTpw", "basic")]
    [InlineData("Cookie", "sessionid=abcdefghijklmnopqrstuvwxyz012345; other=1", "session")]
    [InlineData("Authorization", "Bearer x.y.z", "jwt")]
    public async Task A_request_asks_only_the_scheme_of_the_kind_it_carries(string header, string value, string scheme)
    {
        using var client = _server.CreateClient();
        Built.Clear();
        Proved.Clear();

        // /ping/ admits anyone, so no challenge builds the first scheme's handler to answer 401.
        await client.SendJsonAsync(HttpMethod.Get, "/ping/", configure: m => m.Headers.TryAddWithoutValidation(header, value));

        Assert.Equal([scheme], Proved.Keys);
        Assert.Empty(Built);
    }

    [Fact]
    public async Task A_cookie_other_than_the_session_asks_no_scheme()
    {
        using var client = _server.CreateClient();
        Proved.Clear();
        await client.SendJsonAsync(HttpMethod.Get, "/ping/", configure: m => m.Headers.Add("Cookie", "theme=dark; csrftoken=abc"));
        Assert.Empty(Proved);
    }

    private sealed class CountingScheme(ICredentialScheme inner) : ICredentialScheme
    {
        public string Name => inner.Name;

        public bool CouldCarry(HttpRequest request) => inner.CouldCarry(request);

        public ValueTask<ProofResult> ProveAsync(HttpContext context)
        {
            Proved.AddOrUpdate(inner.Name, 1, (_, n) => n + 1);
            return inner.ProveAsync(context);
        }

        public AuthFailure DescribeRejection(Tessera.Core.Admission.AdmissionRejection rejection) => inner.DescribeRejection(rejection);

        public string? AuthenticateHeader => inner.AuthenticateHeader;
    }

    private sealed class CountingHandlerProvider(IAuthenticationSchemeProvider schemes) : IAuthenticationHandlerProvider
    {
        private readonly AuthenticationHandlerProvider _inner = new(schemes);

        public Task<IAuthenticationHandler?> GetHandlerAsync(HttpContext context, string authenticationScheme)
        {
            Built.AddOrUpdate(authenticationScheme, 1, (_, n) => n + 1);
            return _inner.GetHandlerAsync(context, authenticationScheme);
        }
    }
}
