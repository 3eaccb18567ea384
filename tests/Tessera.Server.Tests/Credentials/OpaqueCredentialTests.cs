using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Credentials;

/// <summary>DRF tokens, API keys and Basic: shown once, stored hashed, revocable, each scheme's own errors.</summary>
[Collection(ServerCollection.Name)]
public sealed class OpaqueCredentialTests(TesseraServer server)
{
    private static string Sha256(string s) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(s)));

    private async Task<string> ObtainTokenAsync(RegisteredUser user)
    {
        using var client = server.CreateClient();
        var r = await client.PostJsonAsync("/api-token-auth/", new { username = user.Username, password = user.Password });
        Assert.Equal(200, r.Status);
        return r.Str("token")!;
    }

    [Fact]
    public async Task Revoked_drf_token_stops_working_on_the_next_request()
    {
        var user = await server.RegisterAsync();
        var token = await ObtainTokenAsync(user);
        var other = await ObtainTokenAsync(user);
        using var client = server.CreateClient();
        var auth = new AuthenticationHeaderValue("Token", token);
        Assert.Equal(200, (await client.GetJsonAsync("/home/", auth)).Status);

        var revoke = await client.SendJsonAsync(HttpMethod.Delete, $"/api/tokens/{token[..8]}/", auth: auth);

        Assert.Equal(204, revoke.Status);
        var after = await client.GetJsonAsync("/home/", auth);
        Assert.Equal(401, after.Status);
        Assert.Equal("Invalid token.", after.Str("detail"));
        Assert.Equal("Token", after.Headers.WwwAuthenticate.ToString());
        Assert.Equal(200, (await client.GetJsonAsync("/home/", new AuthenticationHeaderValue("Token", other))).Status);
    }

    [Fact]
    public async Task Drf_token_list_shows_prefixes_never_keys()
    {
        var user = await server.RegisterAsync();
        var token = await ObtainTokenAsync(user);
        using var client = server.CreateClient();
        var list = await client.GetJsonAsync("/api/tokens/", user.Bearer);
        Assert.Equal(200, list.Status);
        Assert.DoesNotContain(token, list.Raw);
        Assert.Contains(token[..8], list.Raw);
    }

    [Fact]
    public async Task Revoked_api_key_stops_working_on_the_next_request_and_only_its_owner_can_revoke_it()
    {
        var owner = await server.RegisterAsync();
        var stranger = await server.RegisterAsync();
        using var client = server.CreateClient();
        var created = await client.PostJsonAsync("/api/api-key/", new { name = "ci" }, owner.Bearer);
        Assert.Equal(201, created.Status);
        var key = created.Str("api_key")!;
        var prefix = created.Str("prefix")!;
        var withKey = (string path) => client.SendJsonAsync(HttpMethod.Get, path, configure: r => r.Headers.Add("X-API-Key", key));
        Assert.Equal(owner.Username, (await withKey("/home/")).Str("user"));
        Assert.Equal("api_key", (await withKey("/home/")).Str("auth"));

        Assert.Equal(404, (await client.SendJsonAsync(HttpMethod.Delete, $"/api/api-key/{prefix}/", auth: stranger.Bearer)).Status);
        Assert.Equal(200, (await withKey("/home/")).Status);
        Assert.Equal(204, (await client.SendJsonAsync(HttpMethod.Delete, $"/api/api-key/{prefix}/", auth: owner.Bearer)).Status);

        var after = await withKey("/home/");
        Assert.Equal(401, after.Status);
        Assert.Equal("Invalid API key", after.Str("detail"));
    }

    [Fact]
    public async Task Expired_api_key_is_refused()
    {
        var owner = await server.RegisterAsync();
        using var client = server.CreateClient();
        var created = await client.PostJsonAsync("/api/api-key/", new { expires_in_days = 1 }, owner.Bearer);
        var key = created.Str("api_key")!;
        await using (var db = server.CreateDbContext())
            await db.ApiKeys.Where(k => k.Prefix == created.Str("prefix")).ExecuteUpdateAsync(s => s.SetProperty(k => k.ExpiresAt, 1L));
        var r = await client.SendJsonAsync(HttpMethod.Get, "/home/", configure: m => m.Headers.Add("X-API-Key", key));
        Assert.Equal(401, r.Status);
    }

    [Fact]
    public async Task Database_holds_no_usable_secret()
    {
        var user = await server.RegisterAsync();
        var token = await ObtainTokenAsync(user);
        using var client = server.CreateClient();
        var key = (await client.PostJsonAsync("/api/api-key/", null, user.Bearer)).Str("api_key")!;

        await using var db = server.CreateDbContext();
        var tokenRows = await db.OpaqueTokens.Where(t => t.Prefix == token.Substring(0, 8)).ToListAsync();
        var keyRows = await db.ApiKeys.Where(k => k.KeyHash == Sha256(key)).ToListAsync();
        Assert.Single(tokenRows);
        Assert.Equal(Sha256(token), tokenRows[0].KeyHash);
        Assert.Single(keyRows);
        // Nothing stored is the secret itself, and the database file never contains it.
        if (server.IsOnPostgres)
            return; // the rows above are all it stores; its files are the server's, not a test's to read
        var file = await File.ReadAllBytesAsync(server.DatabasePath);
        var wal = File.Exists(server.DatabasePath + "-wal") ? await File.ReadAllBytesAsync(server.DatabasePath + "-wal") : [];
        foreach (var secret in new[] { token, key, user.Password })
        {
            Assert.Equal(-1, file.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)));
            Assert.Equal(-1, wal.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)));
        }
    }

    [Theory]
    [InlineData("Token", "Invalid token header. No credentials provided.")]
    [InlineData("Token a b", "Invalid token header. Token string should not contain spaces.")]
    [InlineData("Token 0000000000000000000000000000000000000000", "Invalid token.")]
    [InlineData("Basic", "Invalid basic header. No credentials provided.")]
    [InlineData("Basic !!!notbase64", "Invalid basic header. Credentials not correctly base64 encoded.")]
    [InlineData("Basic bm9ib2R5Om5vdGhpbmc=", "Invalid username/password.")]
    public async Task Each_scheme_answers_bad_credentials_with_its_own_401(string header, string detail)
    {
        using var client = server.CreateClient();
        var r = await client.SendJsonAsync(HttpMethod.Get, "/home/", configure: m => m.Headers.TryAddWithoutValidation("Authorization", header));
        Assert.Equal(401, r.Status);
        Assert.Equal(detail, r.Str("detail"));
    }

    [Fact]
    public async Task Basic_authenticates_with_username_and_password()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();
        var basic = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user.Username}:{user.Password}")));
        var r = await client.GetJsonAsync("/home/", basic);
        Assert.Equal(user.Username, r.Str("user"));
        Assert.Equal("basic", r.Str("auth"));
    }

    [Fact]
    public async Task First_scheme_with_credentials_decides_bad_jwt_is_not_rescued_by_a_good_api_key()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();
        var key = (await client.PostJsonAsync("/api/api-key/", null, user.Bearer)).Str("api_key")!;
        var r = await client.SendJsonAsync(HttpMethod.Get, "/home/", auth: new AuthenticationHeaderValue("Bearer", "abc.def.ghi"),
            configure: m => m.Headers.Add("X-API-Key", key));
        Assert.Equal(401, r.Status);
        Assert.Equal("token_not_valid", r.Str("code"));
    }
}
