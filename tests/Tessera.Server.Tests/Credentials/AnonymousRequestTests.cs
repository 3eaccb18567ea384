using System.Collections.Concurrent;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Tessera.AspNetCore.Authentication;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Credentials;

/// <summary>
/// A request that carries no credential reaches its endpoint without building the handlers of
/// Tessera's five schemes, and one that carries a credential builds only its scheme's: the chain
/// asks a scheme only when the request could carry its credential. Counted in handlers the
/// authentication system built.
/// </summary>
public sealed class AnonymousRequestTests : IAsyncLifetime
{
    private static readonly ConcurrentDictionary<string, int> Built = new();
    private readonly TesseraServer _server = new();

    public Task InitializeAsync()
    {
        _server.ConfigureServices = services =>
            services.Replace(ServiceDescriptor.Scoped<IAuthenticationHandlerProvider, CountingHandlerProvider>());
        return _server.InitializeAsync();
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task An_anonymous_request_builds_no_handler_of_tesseras_schemes()
    {
        var user = await _server.RegisterAsync();
        using var client = _server.CreateClient();
        Built.Clear();

        for (var i = 0; i < 20; i++)
            Assert.Equal(200, (await client.GetJsonAsync("/ping/")).Status);

        Assert.All(TesseraSchemes.InOrder, scheme => Assert.False(Built.ContainsKey(scheme), $"built the {scheme} handler for /ping/"));

        // With a credential, its scheme is asked as before; without one, a protected endpoint still challenges.
        Assert.Equal(200, (await client.GetJsonAsync("/api/hello/", user.Bearer)).Status);
        Assert.True(Built.ContainsKey(TesseraSchemes.Jwt));
        var anonymous = await client.GetJsonAsync("/api/hello/");
        Assert.Equal(401, anonymous.Status);
        Assert.Equal("Bearer realm=\"api\"", anonymous.Headers.WwwAuthenticate.ToString());
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
    public async Task A_request_builds_only_the_handler_of_the_kind_it_carries(string header, string value, string scheme)
    {
        using var client = _server.CreateClient();
        Built.Clear();

        // /ping/ admits anyone, so no challenge builds the first scheme's handler to answer 401.
        await client.SendJsonAsync(HttpMethod.Get, "/ping/", configure: m => m.Headers.TryAddWithoutValidation(header, value));

        Assert.Equal([scheme], Built.Keys.Where(TesseraSchemes.InOrder.Contains));
    }

    [Fact]
    public async Task A_cookie_other_than_the_session_builds_no_handler()
    {
        using var client = _server.CreateClient();
        Built.Clear();
        await client.SendJsonAsync(HttpMethod.Get, "/ping/", configure: m => m.Headers.Add("Cookie", "theme=dark; csrftoken=abc"));
        Assert.DoesNotContain(Built.Keys, TesseraSchemes.InOrder.Contains);
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
