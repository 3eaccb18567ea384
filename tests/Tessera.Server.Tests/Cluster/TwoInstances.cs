using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Core.Revocation;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Cluster;

/// <summary>
/// Two instances of one deployment on a private PostgreSQL and Redis that the test owns and may stop.
/// The database feed is polled once a minute only, so a revocation that reaches the other instance
/// sooner came by the bus (or, with the bus down, by the read the gate makes before deciding).
/// </summary>
public sealed class TwoInstances : IAsyncDisposable
{
    private TwoInstances(PrivateServices services, TesseraServer a, TesseraServer b) => (Services, A, B) = (services, a, b);

    public PrivateServices Services { get; }

    public TesseraServer A { get; }

    public TesseraServer B { get; }

    public static async Task<TwoInstances> StartAsync(Action<Dictionary<string, string>>? settings = null)
    {
        var services = new PrivateServices();
        TesseraServer? a = null, b = null;
        try
        {
            await services.StartPostgresAsync();
            await services.StartRedisAsync();
            a = TesseraServer.On(services);
            a.Settings["Tessera:Revocation:PollInterval"] = "00:01:00";
            settings?.Invoke(a.Settings);
            await a.InitializeAsync();
            b = a.AnotherInstance();
            foreach (var (k, v) in a.Settings)
                b.Settings[k] = v;
            await b.InitializeAsync();
            return new TwoInstances(services, a, b);
        }
        catch
        {
            // What started before the failure stops with it: a PostgreSQL left running (Redis not
            // installed, say) would outlive the test run.
            try
            {
                if (b is not null) await b.DisposeAsync();
                if (a is not null) await a.DisposeAsync();
            }
            finally
            {
                await services.DisposeAsync();
            }
            throw;
        }
    }

    public static bool IsLive(TesseraServer server) => server.Services.GetRequiredService<IRevocationBusState>().IsLive;

    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out after {timeout} waiting until {what}");
            await Task.Delay(20);
        }
    }

    /// <summary>Polls <paramref name="server"/> with <paramref name="auth"/> until refused (401); how long that took.</summary>
    public static async Task<TimeSpan> TimeUntilRefusedAsync(TesseraServer server, AuthenticationHeaderValue auth, TimeSpan limit)
    {
        using var client = server.CreateClient();
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var status = (await client.GetJsonAsync("/api/hello/", auth)).Status;
            if (status == 401)
                return started.Elapsed;
            Assert.Equal(200, status);
            Assert.True(started.Elapsed < limit, $"still admitted after {limit}");
            await Task.Delay(1);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // The servers go whatever the instances' stopping throws: a PostgreSQL left running would outlive the test run.
        try
        {
            try { await B.DisposeAsync(); }
            finally { await A.DisposeAsync(); }
        }
        finally
        {
            await Services.DisposeAsync();
        }
    }
}
