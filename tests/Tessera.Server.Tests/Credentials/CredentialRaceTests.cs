using System.Data.Common;
using System.Net.Http.Headers;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Server.Tests.Infrastructure;
using static Tessera.Server.Tests.Endpoints.EndpointKit;

namespace Tessera.Server.Tests.Credentials;

/// <summary>
/// Every change to a user's credentials or standing against the logins racing it, over real HTTP:
/// a login whose password check read the state before the change must not outlive it, whatever
/// the kind of credential and however the requests interleave. Hashes cost enough here (and run
/// two at a time) that logins are still hashing when the change commits.
/// </summary>
public sealed class CredentialRaceTests : IAsyncLifetime
{
    private readonly TesseraServer _server = new()
    {
        Settings =
        {
            ["Tessera:Passwords:Iterations"] = "200000",
            ["Tessera:Passwords:MaxConcurrency"] = "2",
            ["Tessera:LoginProtection:MaxFailuresPerUsername"] = "1000000",
        },
    };

    private readonly UsernameReads _reads = new();

    public Task InitializeAsync()
    {
        _server.ConfigureServices = services => services.AddSingleton<IInterceptor>(_reads);
        return _server.InitializeAsync();
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    public enum LoginKind { Jwt, Sliding, DrfToken, Session }

    [Theory]
    [InlineData(LoginKind.Jwt)]
    [InlineData(LoginKind.Sliding)]
    [InlineData(LoginKind.DrfToken)]
    [InlineData(LoginKind.Session)]
    public async Task No_login_racing_a_password_change_works_after_the_change_returns(LoginKind kind)
    {
        var user = await _server.RegisterAsync();
        using var client = _server.CreateClient();
        var change = () => client.PostJsonAsync("/api/password/change/",
            new { old_password = user.Password, new_password = user.Password + "-New9" }, user.Bearer);

        var (changed, logins) = await RaceAsync(kind, user, change);

        Assert.Equal(200, changed.Status);
        await AssertNoneWorksAsync(logins, kind);
        Assert.Equal(200, (await client.GetJsonAsync("/api/hello/", Bearer(changed.Str("access")!))).Status);
    }

    [Theory]
    [InlineData(LoginKind.Jwt)]
    [InlineData(LoginKind.DrfToken)]
    [InlineData(LoginKind.Session)]
    public async Task No_login_racing_a_revoke_all_works_after_it_returns(LoginKind kind)
    {
        var user = await _server.RegisterAsync();
        using var client = _server.CreateClient();
        var revokeAll = () => client.PostJsonAsync("/api/token/revoke-all/", null, user.Bearer);

        // Logins after a revoke-all work, so the race is arranged: four logins have read the user
        // and queue for the two hashing threads (about 0.1 s a hash here) when the revoke-all commits.
        var readsBefore = _reads.Count;
        var logins = Enumerable.Range(0, 4).Select(_ => Task.Run(() => LoginAsync(kind, user))).ToArray();
        for (var waited = 0; waited < 500 && _reads.Count < readsBefore + 4; waited++)
            await Task.Delay(10);
        Assert.True(_reads.Count >= readsBefore + 4, "the logins never read the user");
        var revoked = await revokeAll();
        var credentials = (await Task.WhenAll(logins)).Where(c => c is not null).Select(c => c!).ToList();

        Assert.Equal(204, revoked.Status);
        if (credentials.Count > 0) // each login was refused at issue, or what it issued is refused now
            await AssertNoneWorksAsync(credentials, kind);
    }

    [Theory]
    [InlineData(LoginKind.Jwt)]
    [InlineData(LoginKind.DrfToken)]
    [InlineData(LoginKind.Session)]
    public async Task No_login_racing_a_deactivation_works_after_it_returns_nor_after_reactivation(LoginKind kind)
    {
        var user = await _server.RegisterAsync();
        var deactivate = async () =>
        {
            await _server.AdministerAsync(a => a.SetActiveAsync(user.Username, false));
            return new ApiResponse(200, default, "", new HttpResponseMessage().Headers, null);
        };

        var (_, logins) = await RaceAsync(kind, user, deactivate);

        await AssertNoneWorksAsync(logins, kind);
        await _server.AdministerAsync(a => a.SetActiveAsync(user.Username, true));
        await AssertNoneWorksAsync(logins, kind);
    }

    [Fact]
    public async Task Of_five_concurrent_password_changes_from_one_old_password_exactly_one_wins()
    {
        var user = await _server.RegisterAsync();
        using var client = _server.CreateClient();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var attempts = Enumerable.Range(0, 5).Select(i => Task.Run(async () =>
        {
            await start.Task;
            var newPassword = $"{user.Password}-Change{i}";
            return (NewPassword: newPassword, Response: await client.PostJsonAsync("/api/password/change/",
                new { old_password = user.Password, new_password = newPassword }, user.Bearer));
        })).ToArray();
        start.SetResult();
        var results = await Task.WhenAll(attempts);

        var summary = string.Join("\n", results.Select(r => r.Response.ToString()));
        var winner = Assert.Single(results, r => r.Response.Status == 200);
        Assert.All(results.Where(r => r.Response.Status != 200), r =>
        {
            Assert.True(r.Response.Status == 400, summary);
            Assert.Equal("""{"old_password":["Wrong password."]}""", r.Response.Raw);
        });
        // The winner's pair and password work; the losers changed nothing.
        Assert.Equal(200, (await client.GetJsonAsync("/api/hello/", Bearer(winner.Response.Str("access")!))).Status);
        Assert.Equal(200, (await client.PostJsonAsync("/api/token/refresh/", new { refresh = winner.Response.Str("refresh") })).Status);
        Assert.Equal(200, (await ObtainAsync(client, user.Username, winner.NewPassword)).Status);
        Assert.Equal(401, (await ObtainAsync(client, user.Username, user.Password)).Status);
        foreach (var loser in results.Where(r => r.Response.Status != 200))
            Assert.Equal(401, (await ObtainAsync(client, user.Username, loser.NewPassword)).Status);
    }

    /// <summary>
    /// Logins of <paramref name="kind"/> with the user's password, eight at a time and again as each
    /// finishes, from before <paramref name="change"/> starts until it has returned: some read the
    /// user before the change commits and finish after. For changes after which no login can
    /// succeed (the password changed, the user deactivated). Returns the change's answer and every
    /// credential a login handed out.
    /// </summary>
    private async Task<(ApiResponse Change, List<Func<Task<int>>> Logins)> RaceAsync(LoginKind kind, RegisteredUser user, Func<Task<ApiResponse>> change)
    {
        var credentials = new List<Func<Task<int>>>();
        var changeDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var loops = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            // Until the change has returned: the logins in flight then straddle its commit.
            while (!changeDone.Task.IsCompleted)
            {
                var credential = await LoginAsync(kind, user);
                if (credential is not null)
                    lock (credentials) credentials.Add(credential);
            }
        })).ToArray();
        // Once some logins have succeeded, the others are reading and hashing: change now.
        for (var waited = 0; waited < 500 && Volatile.Read(ref credentials).Count == 0; waited++)
            await Task.Delay(10);
        var response = await change();
        changeDone.SetResult();
        await Task.WhenAll(loops);
        return (response, credentials);
    }

    private static async Task AssertNoneWorksAsync(List<Func<Task<int>>> logins, LoginKind kind)
    {
        Assert.NotEmpty(logins); // the logins before the change did succeed, so the race had two sides
        var statuses = new List<int>();
        foreach (var use in logins)
            statuses.Add(await use());
        Assert.True(statuses.All(s => s == 401), $"{kind}: {statuses.Count(s => s != 401)} of {statuses.Count} logins still work after the change: {string.Join(",", statuses)}");
    }

    /// <summary>One login; null when it was refused; otherwise how to use what it handed out (the status of one request).</summary>
    private async Task<Func<Task<int>>?> LoginAsync(LoginKind kind, RegisteredUser user)
    {
        using var client = _server.CreateClient();
        switch (kind)
        {
            case LoginKind.Jwt:
            {
                var r = await ObtainAsync(client, user.Username, user.Password);
                return r.Status == 200 ? UseBearer(r.Str("access")!) : null;
            }
            case LoginKind.Sliding:
            {
                var r = await client.PostJsonAsync("/api/sliding/token/", new { username = user.Username, password = user.Password });
                return r.Status == 200 ? UseBearer(r.Str("token")!) : null;
            }
            case LoginKind.DrfToken:
            {
                var r = await client.PostJsonAsync("/api-token-auth/", new { username = user.Username, password = user.Password });
                if (r.Status != 200)
                    return null;
                var token = r.Str("token")!;
                return async () =>
                {
                    using var c = _server.CreateClient();
                    return (await c.GetJsonAsync("/home/", new AuthenticationHeaderValue("Token", token))).Status;
                };
            }
            default:
            {
                var browser = new Browser(_server);
                await browser.GetCsrfAsync();
                var r = await browser.LoginAsync(user.Username, user.Password);
                return r.Status == 200 ? async () => (await browser.GetAsync("/session/profile/")).Status : null;
            }
        }
    }

    private Func<Task<int>> UseBearer(string token) => async () =>
    {
        using var c = _server.CreateClient();
        return (await c.GetJsonAsync("/api/hello/", Bearer(token))).Status;
    };

    /// <summary>Counts the lookups of a user by name that have completed: a login's password check has read the user.</summary>
    private sealed class UsernameReads : DbCommandInterceptor
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
        {
            // SQLite's SQL quotes the column ("username" = ), PostgreSQL's does not (u.username = ).
            if (command.CommandText.Contains("\"username\" = ", StringComparison.Ordinal) || command.CommandText.Contains(".username = ", StringComparison.Ordinal))
                Interlocked.Increment(ref _count);
            return ValueTask.FromResult(result);
        }
    }

    private static Task<ApiResponse> ObtainAsync(HttpClient client, string username, string password)
        => client.PostJsonAsync("/api/token/", new { username, password });
}
