using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Tessera.Core.Jwt;
using Tessera.Server.Tests.Infrastructure;
using static Tessera.Server.Tests.SigningKeys.SigningKeyKit;

namespace Tessera.Server.Tests.SigningKeys;

/// <summary>
/// The JWKS and discovery over HTTP, under each asymmetric algorithm: what a verifier that shares
/// nothing with Tessera but its URL needs, and nothing it must not have.
/// </summary>
public sealed class SigningKeyEndpointTests
{
    [Theory]
    [InlineData("RS256", "RSA")]
    [InlineData("ES256", "EC")]
    [InlineData("EdDSA", "OKP")]
    public async Task A_token_names_a_published_key_that_verifies_it_and_the_jwks_holds_public_members_only(string algorithm, string keyType)
    {
        await using var server = new TesseraServer().WithAlgorithm(algorithm);
        await server.InitializeAsync();
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();

        var jwks = await client.GetJsonAsync("/.well-known/jwks.json");

        Assert.Equal(algorithm, Header(user.Access).GetProperty("alg").GetString());
        Assert.Equal(Kid(user.Access), Kid(user.Refresh));
        var keys = jwks.Json.GetProperty("keys").EnumerateArray().ToList();
        Assert.NotEmpty(keys);
        foreach (var key in keys)
        {
            var members = key.EnumerateObject().Select(p => p.Name).ToList();
            Assert.Empty(members.Intersect(PrivateMembers));
            Assert.NotEqual("oct", key.GetProperty("kty").GetString());
            Assert.Equal("sig", key.GetProperty("use").GetString());
        }
        var mine = Assert.Single(keys, k => k.GetProperty("kid").GetString() == Kid(user.Access));
        Assert.Equal((keyType, algorithm), (mine.GetProperty("kty").GetString(), mine.GetProperty("alg").GetString()));
        Assert.True(await VerifiesAsync(user.Access, mine), "the published key does not verify the token");
        Assert.Equal(200, (await client.GetJsonAsync("/api/hello/", user.Bearer)).Status);
    }

    /// <summary>Microsoft.IdentityModel for RSA and EC (an independent implementation); Ed25519, which it lacks, through the JWK import.</summary>
    private static async Task<bool> VerifiesAsync(string token, System.Text.Json.JsonElement jwk)
    {
        if (jwk.GetProperty("kty").GetString() == "OKP")
            return JwsSigningKey.TryImportPublicJwk(jwk, out var key) && new JwsCodec(key).Decode(token).Success;
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKey = new JsonWebKey(jwk.GetRawText()),
            ValidateIssuer = false,
            ValidateAudience = false,
        });
        return result.IsValid;
    }

    [Fact]
    public async Task The_jwks_is_cacheable_answers_304_to_its_etag_and_changes_its_etag_when_a_key_is_added()
    {
        await using var server = new TesseraServer().WithAlgorithm("ES256");
        await server.InitializeAsync();
        using var client = server.CreateClient();

        var first = await client.GetAsync("/.well-known/jwks.json");
        var etag = first.Headers.ETag!;
        Assert.False(etag.IsWeak);
        Assert.Equal("public, max-age=3600", first.Headers.CacheControl!.ToString());
        Assert.Empty(first.Headers.Pragma);
        Assert.Equal(HttpStatusCode.NotModified, (await ConditionalAsync(client, etag)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ConditionalAsync(client, new EntityTagHeaderValue("\"other\""))).StatusCode);

        await server.InScopeAsync(sp => Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
            .GetRequiredService<Tessera.Core.SigningKeys.SigningKeyAdministration>(sp).RotateAsync(signNow: false));
        await WaitForAsync(async () => (await server.PublishedKidsAsync()).Count == 2, "the next key is published");

        var after = await ConditionalAsync(client, etag);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.NotEqual(etag, after.Headers.ETag);
    }

    private static Task<HttpResponseMessage> ConditionalAsync(HttpClient client, EntityTagHeaderValue etag)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/.well-known/jwks.json");
        request.Headers.IfNoneMatch.Add(etag);
        return client.SendAsync(request);
    }

    [Fact]
    public async Task Discovery_names_the_issuer_the_tokens_carry_and_an_absolute_jwks_uri()
    {
        await using var server = new TesseraServer().WithAlgorithm("RS256");
        await server.InitializeAsync();
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();

        var discovery = await client.GetJsonAsync("/.well-known/openid-configuration");

        Assert.Equal(200, discovery.Status);
        var issuer = discovery.Str("issuer")!;
        Assert.Equal(server.BaseAddress.ToString().TrimEnd('/'), issuer);
        Assert.Equal(issuer, Payload(user.Access).GetProperty("iss").GetString());
        Assert.Equal(issuer, Payload(user.Refresh).GetProperty("iss").GetString());
        var refreshed = await client.PostJsonAsync("/api/token/refresh/", new { refresh = user.Refresh });
        Assert.Equal(issuer, Payload(refreshed.Str("access")!).GetProperty("iss").GetString());
        Assert.Equal(200, (await client.GetJsonAsync("/api/hello/", new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", refreshed.Str("access")!))).Status);
        Assert.Equal(200, (await client.PostJsonAsync("/api/token/refresh/", new { refresh = refreshed.Str("refresh") })).Status);
        var jwksUri = new Uri(discovery.Str("jwks_uri")!);
        Assert.True(jwksUri.IsAbsoluteUri);
        Assert.Contains(Kid(user.Access), (await client.GetJsonAsync(jwksUri.PathAndQuery)).Raw);
        Assert.Equal(issuer + "/api/token/", discovery.Str("token_endpoint"));
        Assert.Equal("[\"RS256\"]", discovery.Json.GetProperty("id_token_signing_alg_values_supported").GetRawText());
    }

    [Fact]
    public async Task Under_hs256_discovery_answers_with_an_empty_jwks_and_tokens_stay_as_simplejwt_makes_them()
    {
        await using var server = new TesseraServer();
        await server.InitializeAsync();
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();

        var discovery = await client.GetJsonAsync("/.well-known/openid-configuration");
        var jwks = await client.GetJsonAsync(new Uri(discovery.Str("jwks_uri")!).PathAndQuery);

        Assert.Equal(200, discovery.Status);
        Assert.Equal("{\"keys\":[]}", jwks.Raw);
        Assert.False(Header(user.Access).TryGetProperty("kid", out _));
        Assert.False(Payload(user.Access).TryGetProperty("iss", out _));
    }

    [Fact]
    public async Task A_token_that_names_a_known_kid_with_another_algorithm_is_refused()
    {
        await using var server = new TesseraServer().WithAlgorithm("RS256");
        await server.InitializeAsync();
        var user = await server.RegisterAsync();
        var kid = Kid(user.Access);
        var jwk = (await server.JwksAsync()).Json.GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("kid").GetString() == kid);
        var modulus = Base64UrlDecode(jwk.GetProperty("n").GetString()!);
        using var client = server.CreateClient();

        var es256 = Forge(new { alg = "ES256", typ = "JWT", kid }, user.Access, SignEs256);
        var hs256 = Forge(new { alg = "HS256", typ = "JWT", kid }, user.Access, input => HMACSHA256.HashData(Encoding.UTF8.GetBytes(jwk.GetRawText()), input));
        var hs256Modulus = Forge(new { alg = "HS256", typ = "JWT", kid }, user.Access, input => HMACSHA256.HashData(modulus, input));

        foreach (var forged in new[] { es256, hs256, hs256Modulus })
            Assert.Equal(401, (await client.GetJsonAsync("/api/hello/", new AuthenticationHeaderValue("Bearer", forged))).Status);
        Assert.Equal(200, (await client.GetJsonAsync("/api/hello/", user.Bearer)).Status);
    }
}
