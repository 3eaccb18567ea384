using System.Net.Http.Headers;
using System.Text;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Credentials;

/// <summary>Repeated failed logins for one username are refused for a while, on every password endpoint alike.</summary>
public sealed class LoginProtectionTests : IAsyncLifetime
{
    private readonly TesseraServer _server = new();

    public Task InitializeAsync()
    {
        _server.Settings["Tessera:LoginProtection:MaxFailuresPerUsername"] = "4";
        _server.Settings["Tessera:LoginProtection:SlowdownAfter"] = "2";
        _server.Settings["Tessera:LoginProtection:InitialDelay"] = "00:00:00.050";
        return _server.InitializeAsync();
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task Guessing_a_password_is_refused_after_the_limit_even_with_the_right_one_and_on_other_endpoints()
    {
        var user = await _server.RegisterAsync();
        using var client = _server.CreateClient();
        for (var i = 0; i < 4; i++)
            Assert.Equal(401, (await client.PostJsonAsync("/api/token/", new { username = user.Username, password = "guess" + i })).Status);

        var right = await client.PostJsonAsync("/api/token/", new { username = user.Username, password = user.Password });
        Assert.Equal(429, right.Status);
        Assert.Matches(@"^Too many failed login attempts\. Try again in \d+ seconds?\.$", right.Str("detail"));
        Assert.True(int.Parse(right.Headers.RetryAfter!.ToString()) > 0);

        var drf = await client.PostJsonAsync("/api-token-auth/", new { username = user.Username, password = user.Password });
        Assert.Equal(429, drf.Status);
        var basic = await client.GetJsonAsync("/home/", new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user.Username}:{user.Password}"))));
        Assert.Equal(429, basic.Status);
        // Other users are not affected.
        var other = await _server.RegisterAsync();
        Assert.Equal(200, (await client.PostJsonAsync("/api/token/", new { username = other.Username, password = other.Password })).Status);
    }

    [Fact]
    public async Task An_unknown_username_is_refused_exactly_like_a_known_one()
    {
        var known = await _server.RegisterAsync();
        var unknown = "ghost" + Guid.NewGuid().ToString("N")[..8];
        using var client = _server.CreateClient();
        var knownStatuses = new List<int>();
        var unknownStatuses = new List<int>();
        for (var i = 0; i < 6; i++)
        {
            knownStatuses.Add((await client.PostJsonAsync("/api/token/", new { username = known.Username, password = "x" + i })).Status);
            unknownStatuses.Add((await client.PostJsonAsync("/api/token/", new { username = unknown, password = "x" + i })).Status);
        }
        Assert.Equal(knownStatuses, unknownStatuses);
        Assert.Equal([401, 401, 401, 401, 429, 429], knownStatuses);
    }
}
