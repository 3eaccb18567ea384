using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Core.Passwords;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Credentials;

/// <summary>
/// Login protection under concurrency, over real HTTP: attempts still being checked are not
/// failures, so a burst of right passwords is never refused (they wait for the attempts in flight),
/// and one hash serves identical concurrent Basic pairs; wrong passwords are limited as before. The
/// hashes cost enough here (and run two at a time) that every request of a burst arrives while the
/// first ones are still hashing.
/// </summary>
public sealed class ConcurrentLoginTests : IAsyncLifetime
{
    private const int MaxFailures = 10; // the default
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(15); // the default

    private readonly TesseraServer _server = new()
    {
        Settings =
        {
            ["Tessera:Passwords:Iterations"] = "100000",
            ["Tessera:Passwords:MaxConcurrency"] = "2",
        },
    };

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    private PasswordHashingPool Pool => _server.Services.GetRequiredService<PasswordHashingPool>();

    [Fact]
    public async Task Concurrent_right_Basic_requests_all_succeed_on_one_hash()
    {
        var user = await _server.RegisterAsync();
        var before = Pool.HashesRun;

        var statuses = await RaceAsync(32, _ => HomeAsync(user.Username, user.Password));

        Assert.All(statuses, s => Assert.Equal(200, s.Status));
        Assert.Equal(1, Pool.HashesRun - before);
    }

    [Fact]
    public async Task Concurrent_right_logins_on_every_password_endpoint_all_succeed()
    {
        var user = await _server.RegisterAsync();
        var browsers = new Browser[4];
        for (var i = 0; i < browsers.Length; i++)
        {
            browsers[i] = new Browser(_server);
            await browsers[i].GetCsrfAsync();
        }
        var credentials = new { username = user.Username, password = user.Password };
        using var client = _server.CreateClient();

        var answers = await RaceAsync(16, i => (i % 4) switch
        {
            0 => client.PostJsonAsync("/api/token/", credentials),
            1 => client.PostJsonAsync("/api/sliding/token/", credentials),
            2 => client.PostJsonAsync("/api-token-auth/", credentials),
            _ => SessionLoginAsync(browsers[i / 4], user),
        });

        Assert.All(answers, a => Assert.True(a.Status == 200, a.ToString()));
    }

    [Fact]
    public async Task Concurrent_wrong_passwords_are_limited_as_before_with_the_windows_time_left()
    {
        var user = await _server.RegisterAsync();
        var before = Pool.HashesRun;

        var answers = await RaceAsync(32, i => HomeAsync(user.Username, $"wrong-{i}-{user.Password}"));

        Assert.Equal(MaxFailures, answers.Count(a => a.Status == 401));
        Assert.Equal(32 - MaxFailures, answers.Count(a => a.Status == 429));
        Assert.True(Pool.HashesRun - before <= MaxFailures, $"{Pool.HashesRun - before} hashes");
        foreach (var refused in answers.Where(a => a.Status == 429))
        {
            var seconds = int.Parse(refused.Headers.RetryAfter!.ToString());
            Assert.InRange(seconds, (int)Window.TotalSeconds - 60, (int)Window.TotalSeconds);
            Assert.Equal($"Too many failed login attempts. Try again in {seconds} seconds.", refused.Str("detail"));
        }
        // The limit holds for the right password too.
        Assert.Equal(429, (await HomeAsync(user.Username, user.Password)).Status);
    }

    [Fact]
    public async Task Concurrent_identical_wrong_Basic_pairs_are_one_guess()
    {
        // One hash answers them all, so they count as the one guess they are: the user still has
        // the rest of the allowance, and the limit then holds as usual.
        var user = await _server.RegisterAsync();
        var before = Pool.HashesRun;

        var answers = await RaceAsync(32, _ => HomeAsync(user.Username, "wrong-" + user.Password));

        Assert.All(answers, a => Assert.Equal(401, a.Status));
        Assert.Equal(1, Pool.HashesRun - before);
        for (var i = 1; i < MaxFailures; i++)
            Assert.Equal(401, (await HomeAsync(user.Username, $"wrong-{i}-{user.Password}")).Status);
        Assert.Equal(429, (await HomeAsync(user.Username, "another-" + user.Password)).Status);
    }

    private async Task<ApiResponse> HomeAsync(string username, string password)
    {
        using var client = _server.CreateClient();
        return await client.GetJsonAsync("/home/", new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}"))));
    }

    private static async Task<ApiResponse> SessionLoginAsync(Browser browser, RegisteredUser user)
        => (await browser.LoginAsync(user.Username, user.Password)).Api;

    /// <summary>Sends <paramref name="count"/> requests at once; their answers.</summary>
    private static async Task<ApiResponse[]> RaceAsync(int count, Func<int, Task<ApiResponse>> send)
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var requests = Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            await start.Task;
            return await send(i);
        })).ToArray();
        start.SetResult();
        return await Task.WhenAll(requests);
    }
}
