using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Endpoints;

/// <summary>Every response that carries a credential tells every cache not to keep it (RFC 6749 §5.1, ASVS 14.3.2).</summary>
[Collection(ServerCollection.Name)]
public sealed class NoStoreTests(TesseraServer server)
{
    [Fact]
    public async Task Every_credential_carrying_endpoint_answers_no_store()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();
        var login = new { username = user.Username, password = user.Password };
        var sliding = await client.PostJsonAsync("/api/sliding/token/", login);
        var responses = new Dictionary<string, ApiResponse>
        {
            ["register"] = await client.PostJsonAsync("/api/register/", new { username = "ns" + Guid.NewGuid().ToString("N")[..10], password = "S3cure-pass-word", email = "ns@example.com" }),
            ["obtain"] = await client.PostJsonAsync("/api/token/", login),
            ["obtain v1"] = await client.PostJsonAsync("/api/v1/token/", login),
            ["refresh"] = await client.PostJsonAsync("/api/token/refresh/", new { refresh = user.Refresh }),
            ["sliding"] = sliding,
            ["sliding refresh"] = await client.PostJsonAsync("/api/sliding/token/refresh/", new { token = sliding.Str("token") }),
            ["api-token-auth"] = await client.PostJsonAsync("/api-token-auth/", login),
            ["api key"] = await client.PostJsonAsync("/api/api-key/", null, user.Bearer),
            ["token-info"] = await client.GetJsonAsync("/api/token-info/", user.Bearer),
            ["verify-token"] = await client.PostJsonAsync("/api/verify-token/", new { token = user.Access }),
            ["password change"] = await client.PostJsonAsync("/api/password/change/", new { old_password = user.Password, new_password = user.Password + "-N3w" }, user.Bearer),
            ["a refused login"] = await client.PostJsonAsync("/api/token/", new { username = user.Username, password = "wrong" }),
        };
        var browser = new Browser(server);
        await browser.GetCsrfAsync();
        var session = await browser.LoginAsync(user.Username, user.Password + "-N3w");
        Assert.Equal(200, session.Status);
        responses["session login"] = session.Api;

        foreach (var (name, r) in responses)
        {
            Assert.True(r.Status < 500, $"{name}: {r}");
            Assert.True(r.Headers.CacheControl?.NoStore == true, $"{name}: Cache-Control is '{r.Headers.CacheControl}'");
            Assert.Contains("no-cache", r.Headers.Pragma.Select(p => p.ToString()));
        }
    }

    [Fact]
    public async Task Responses_without_credentials_stay_cacheable()
    {
        using var client = server.CreateClient();
        var r = await client.GetJsonAsync("/ping/");
        Assert.Null(r.Headers.CacheControl);
    }
}
