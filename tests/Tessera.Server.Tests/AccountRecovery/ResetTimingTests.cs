using System.Diagnostics;
using Tessera.Server.Tests.Credentials;
using Tessera.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Tessera.Server.Tests.AccountRecovery;

/// <summary>
/// A reset request must take as long for an email no account has as for one that has an account,
/// or response times tell who is registered. Measured over HTTP, interleaved so that machine noise
/// falls on both alike, while the server mails the known address each time.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class ResetTimingTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TesseraServer _server = new();

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task Unknown_and_known_emails_take_the_same_time()
    {
        var user = await _server.RegisterAsync("timing");
        var known = $"{user.Username}@example.com";
        using var client = _server.CreateClient();
        async Task<double> TimeAsync(string email)
        {
            var watch = Stopwatch.StartNew();
            var r = await client.PostJsonAsync("/api/password/reset/", new { email });
            watch.Stop();
            Assert.Equal(200, r.Status);
            return watch.Elapsed.TotalMilliseconds;
        }

        for (var i = 0; i < 20; i++) // warm-up: JIT, connection, the composer's first lookups
        {
            await TimeAsync(known);
            await TimeAsync($"ghost{i}@example.com");
        }
        var knownTimes = new List<double>();
        var unknownTimes = new List<double>();
        for (var i = 0; i < 200; i++)
        {
            // Alternate which goes first, so neither always follows the other's background work.
            if (i % 2 == 0)
            {
                knownTimes.Add(await TimeAsync(known));
                unknownTimes.Add(await TimeAsync($"nobody{Guid.NewGuid():N}@example.com"));
            }
            else
            {
                unknownTimes.Add(await TimeAsync($"nobody{Guid.NewGuid():N}@example.com"));
                knownTimes.Add(await TimeAsync(known));
            }
        }

        var ratio = Median(unknownTimes) / Median(knownTimes);
        output.WriteLine($"median unknown {Median(unknownTimes):0.000} ms, known {Median(knownTimes):0.000} ms, ratio {ratio:0.000}");
        Assert.InRange(ratio, 0.6, 1.6);
        // And the known address really was mailed each time (so the comparison was of the real paths).
        await _server.Outbox.MessageAsync(known, index: 219);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
