using System.Data.Common;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Revocation;

/// <summary>
/// The promise of the design: an authenticated request of any kind, revocation checks and all, costs
/// no database round trip, and neither does a forged credential. An EF Core interceptor counts every command issued while a request is
/// being served (background work, such as reading the revocation feed, is not a request's cost).
/// </summary>
public sealed class HotPathTests : IAsyncLifetime
{
    private readonly TesseraServer _server = new();
    private readonly RequestCommandCounter _counter = new();
    private int _contextsBuilt;

    public Task InitializeAsync()
    {
        _server.ConfigureServices = services =>
        {
            services.AddHttpContextAccessor();
            services.AddSingleton<IInterceptor>(sp => _counter.Attach(sp.GetRequiredService<IHttpContextAccessor>()));
            // The server's context options ask for the interceptors each time a context is built:
            // this one counts the contexts built while a request is served.
            services.AddTransient<IInterceptor>(sp =>
            {
                if (sp.GetRequiredService<IHttpContextAccessor>().HttpContext is not null)
                    Interlocked.Increment(ref _contextsBuilt);
                return new NothingInterceptor();
            });
        };
        return _server.InitializeAsync();
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task A_thousand_jwt_requests_after_warm_up_issue_no_database_command()
    {
        var user = await _server.RegisterAsync();
        using var client = _server.CreateClient();
        // Revocations exist (another login revoked, another user logged out everywhere), so the
        // gate has something to check against.
        var other = await _server.RegisterAsync();
        Assert.Equal(200, (await client.PostJsonAsync("/api/token/blacklist/", new { refresh = other.Refresh })).Status);
        Assert.Equal(204, (await client.PostJsonAsync("/api/token/revoke-all/", null, (await _server.RegisterAsync()).Bearer)).Status);
        Assert.Equal(200, (await client.GetJsonAsync("/api/hello/", user.Bearer)).Status); // warm-up

        // The counter does see a request's commands when there are some:
        _counter.Reset();
        Assert.Equal(200, (await client.GetJsonAsync("/api/tasks/", user.Bearer)).Status);
        Assert.True(_counter.Count > 0, "the counter missed the commands of a request that reads the database");

        _counter.Reset();
        for (var i = 0; i < 1000; i++)
            Assert.Equal(200, (await client.GetJsonAsync("/api/hello/", user.Bearer)).Status);

        Assert.Equal(0, _counter.Count);
    }

    [Fact]
    public async Task Valid_tokens_of_a_deleted_user_and_of_an_unknown_id_cost_no_database_command_per_request()
    {
        var deleted = await _server.RegisterAsync();
        await _server.AdministerAsync(a => a.DeleteAsync(deleted.Username));
        // Signed with the key, naming an id no user has: memory cannot know it is missing until it asks once.
        var unknown = Endpoints.EndpointKit.Sign(Endpoints.EndpointKit.Claims(987_654_321L));
        using var client = _server.CreateClient();
        Assert.Equal(401, (await client.GetJsonAsync("/api/hello/", deleted.Bearer)).Status);
        Assert.Equal(401, (await client.GetJsonAsync("/api/hello/", Endpoints.EndpointKit.Bearer(unknown))).Status);

        _counter.Reset();
        for (var i = 0; i < 500; i++)
        {
            Assert.Equal(401, (await client.GetJsonAsync("/api/hello/", deleted.Bearer)).Status);
            Assert.Equal(401, (await client.GetJsonAsync("/api/hello/", Endpoints.EndpointKit.Bearer(unknown))).Status);
        }

        Assert.Equal(0, _counter.Count);
    }

    [Fact]
    public async Task A_thousand_requests_of_each_kind_after_warm_up_issue_no_database_command()
    {
        var user = await _server.RegisterAsync();
        using var client = _server.CreateClient();
        var browser = new Browser(_server);
        await browser.GetCsrfAsync();
        Assert.Equal(200, (await browser.LoginAsync(user.Username, user.Password)).Status);
        var token = (await client.PostJsonAsync("/api-token-auth/", new { username = user.Username, password = user.Password })).Str("token")!;
        var key = (await client.PostJsonAsync("/api/api-key/", new { name = "ci" }, user.Bearer)).Str("api_key")!;
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user.Username}:{user.Password}"));
        var kinds = new Dictionary<string, Action<HttpRequestMessage>>
        {
            ["session"] = r => r.Headers.Add("Cookie", $"sessionid={browser.Cookies["sessionid"]}; csrftoken={browser.Cookies["csrftoken"]}"),
            ["token"] = r => r.Headers.Authorization = new AuthenticationHeaderValue("Token", token),
            ["api_key"] = r => r.Headers.Add("X-API-Key", key),
            ["basic"] = r => r.Headers.Authorization = new AuthenticationHeaderValue("Basic", basic),
        };
        foreach (var (kind, credential) in kinds)
        {
            var first = await client.SendJsonAsync(HttpMethod.Get, "/home/", configure: credential); // warm-up
            Assert.Equal((200, kind), (first.Status, first.Str("auth")));

            _counter.Reset();
            Interlocked.Exchange(ref _contextsBuilt, 0);
            for (var i = 0; i < 1000; i++)
                Assert.Equal(200, (await client.SendJsonAsync(HttpMethod.Get, "/api/hello/", configure: credential)).Status);

            Assert.True(_counter.Count == 0, $"{kind}: {_counter.Count} database commands over 1,000 requests");
            // Not even the machinery for one: a database context costs more than the rest of the request.
            Assert.True(_contextsBuilt == 0, $"{kind}: {_contextsBuilt} database contexts built over 1,000 requests");
        }
    }

    /// <summary>
    /// Secrets of the right shape that this deployment never minted: their seal does not match
    /// (a random one matches with a chance below 1 in 2 billion), so none is looked up. The bound
    /// asserted is 2 commands over the 10,000 requests; expected, and seen, is 0.
    /// </summary>
    [Fact]
    public async Task Ten_thousand_random_well_formed_credentials_cost_no_database_command()
    {
        const string alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        var forgeries = new Func<Action<HttpRequestMessage>>[]
        {
            () => { var id = RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", 32); return r => r.Headers.Add("Cookie", $"sessionid={id}"); },
            () => { var t = RandomNumberGenerator.GetHexString(40, lowercase: true); return r => r.Headers.Authorization = new AuthenticationHeaderValue("Token", t); },
            () => { var k = $"tk_{RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", 8)}_{RandomNumberGenerator.GetString(alnum, 32)}"; return r => r.Headers.Add("X-API-Key", k); },
        };
        _counter.Reset();
        var refused = 0;
        await Parallel.ForAsync(0, 10_000, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, _) =>
        {
            using var client = _server.CreateClient();
            var r = await client.SendJsonAsync(HttpMethod.Get, "/api/hello/", configure: forgeries[i % forgeries.Length]());
            if (r.Status is 401 or 403)
                Interlocked.Increment(ref refused);
        });

        Assert.Equal(10_000, refused);
        Assert.True(_counter.Count <= 2, $"{_counter.Count} database commands for 10,000 forged credentials");
    }

    private sealed class NothingInterceptor : DbCommandInterceptor;
}
