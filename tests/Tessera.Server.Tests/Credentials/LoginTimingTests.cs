using System.Diagnostics;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Credentials;

/// <summary>
/// A failed login must take as long for an unknown username as for a known one with a wrong
/// password, or response times tell an attacker who has an account. Measured over HTTP on a server
/// with a realistic hashing cost, interleaved so machine noise falls on both alike.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class LoginTimingTests : IAsyncLifetime
{
    private readonly TesseraServer _server = new();

    public Task InitializeAsync()
    {
        _server.Settings["Tessera:Passwords:Iterations"] = "100000";
        // Measures hashing alone: the brute-force slowdown (tested on its own) would swamp it.
        _server.Settings["Tessera:LoginProtection:Enabled"] = "false";
        return _server.InitializeAsync();
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    [Theory]
    [InlineData("/api/token/")]
    [InlineData("/api-token-auth/")]
    public async Task Unknown_user_and_wrong_password_take_the_same_time(string path)
    {
        var user = await _server.RegisterAsync();
        using var client = _server.CreateClient();
        async Task<double> TimeAsync(string username)
        {
            var watch = Stopwatch.StartNew();
            var r = await client.PostJsonAsync(path, new { username, password = "wrong-password-1" });
            watch.Stop();
            Assert.True(r.Status is 400 or 401, r.ToString());
            return watch.Elapsed.TotalMilliseconds;
        }

        await TimeAsync(user.Username); // warm-up
        var known = new List<double>();
        var unknown = new List<double>();
        for (var i = 0; i < 15; i++)
        {
            known.Add(await TimeAsync(user.Username));
            unknown.Add(await TimeAsync("nobody" + Guid.NewGuid().ToString("N")[..8]));
        }

        var ratio = Median(unknown) / Median(known);
        // A missing dummy hash would make the unknown user ~100x faster; noise on 2 cores stays well inside this.
        Assert.InRange(ratio, 0.6, 1.6);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}

/// <summary>Timing tests run alone, so other tests' load does not fall on one side of a comparison.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "timing";
}
