using System.Net.Http.Headers;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Cluster;

/// <summary>
/// PostgreSQL stopped: every credential kind that memory holds is still admitted; every write
/// answers 503 JSON with Retry-After and writes nothing; when it is back, all of it works again
/// without a restart, and a refresh token whose rotation failed is still good.
/// </summary>
[Trait("Storage", "Cluster")]
public sealed class PostgresOutageTests : IAsyncLifetime
{
    private TwoInstances _cluster = null!;

    public async Task InitializeAsync() => _cluster = await TwoInstances.StartAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Reads_are_admitted_from_memory_and_writes_answer_503_until_the_database_is_back()
    {
        var server = _cluster.A;
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();
        var token = (await client.PostJsonAsync("/api-token-auth/", new { username = user.Username, password = user.Password })).Str("token")!;
        var key = (await client.PostJsonAsync("/api/api-key/", null, user.Bearer)).Str("api_key")!;
        var browser = new Browser(server);
        await browser.GetCsrfAsync();
        Assert.Equal(200, (await browser.LoginAsync(user.Username, user.Password)).Status);
        async Task<int[]> ReadsAsync() =>
        [
            (await client.GetJsonAsync("/api/hello/", user.Bearer)).Status,
            (await client.GetJsonAsync("/api/hello/", new AuthenticationHeaderValue("Token", token))).Status,
            (await client.SendJsonAsync(HttpMethod.Get, "/api/hello/", configure: r => r.Headers.Add("X-API-Key", key))).Status,
            (await browser.GetAsync("/api/hello/")).Status,
        ];
        Assert.Equal(new[] { 200, 200, 200, 200 }, await ReadsAsync()); // each is now remembered

        await _cluster.Services.StopPostgresAsync();

        Assert.Equal(new[] { 200, 200, 200, 200 }, await ReadsAsync());
        var writes = new[]
        {
            await client.PostJsonAsync("/api/token/", new { username = user.Username, password = user.Password }),
            await client.PostJsonAsync("/api/token/refresh/", new { refresh = user.Refresh }),
            await client.PostJsonAsync("/api/logout/", new { refresh = user.Refresh }, user.Bearer),
            await client.PostJsonAsync("/api/register/", new { username = "n" + Guid.NewGuid().ToString("N")[..8], password = "Unrelated-pass-4821", email = "n@example.com" }),
        };
        foreach (var write in writes)
        {
            Assert.Equal(503, write.Status);
            Assert.Equal("application/json", write.ContentType);
            Assert.NotNull(write.Str("detail"));
            Assert.True(write.Headers.RetryAfter is not null, $"no Retry-After: {write}");
        }

        await _cluster.Services.StartPostgresAsync();

        // Pooled connections broken by the restart are dropped as they fail; within a few tries writes go through.
        var refreshed = await RetryWhileUnavailableAsync(() => client.PostJsonAsync("/api/token/refresh/", new { refresh = user.Refresh }));
        Assert.Equal(200, refreshed.Status); // the rotation that failed wrote nothing: the token was still unused
        Assert.Equal(200, (await RetryWhileUnavailableAsync(() => client.PostJsonAsync("/api/token/", new { username = user.Username, password = user.Password }))).Status);
        Assert.Equal(new[] { 200, 200, 200, 200 }, await ReadsAsync());
        Assert.Equal(205, (await client.PostJsonAsync("/api/logout/", new { refresh = refreshed.Str("refresh") },
            new AuthenticationHeaderValue("Bearer", refreshed.Str("access")))).Status);
    }

    private static async Task<ApiResponse> RetryWhileUnavailableAsync(Func<Task<ApiResponse>> send)
    {
        for (var attempt = 0; ; attempt++)
        {
            var response = await send();
            if (response.Status != 503 || attempt == 20)
                return response;
            await Task.Delay(100);
        }
    }
}
