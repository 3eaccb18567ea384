using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Tessera.AspNetCore.Metrics;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Metrics;

/// <summary>
/// <c>tessera.revocation.propagation.delay</c>: two instances of one deployment; a change made on A is
/// measured on B, which applies it, with the path that brought it, and not on A. On SQLite B reads
/// it from the feed; on PostgreSQL (with Redis) it comes by the bus, B's feed being polled once a
/// minute only so that nothing else can bring it first.
/// </summary>
public sealed class PropagationDelayMetricsTests : IAsyncLifetime
{
    private const string Instrument = "tessera.revocation.propagation.delay";

    private readonly TesseraServer _a = new();
    private TesseraServer _b = null!;

    public async Task InitializeAsync()
    {
        // A reads no feed: a change it made reaches its memory by its own bus only (path "here").
        _a.Settings["Tessera:Revocation:PollInterval"] = "00:01:00";
        await _a.InitializeAsync();
        _b = _a.AnotherInstance();
        _b.Settings["Tessera:Revocation:PollInterval"] = _a.IsOnPostgres ? "00:01:00" : "00:00:00.100";
        await _b.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _b.DisposeAsync();
        await _a.DisposeAsync();
    }

    private static MetricCollector<double> Collect(TesseraServer server)
        => new(server.Services.GetRequiredService<IMeterFactory>(), TesseraMeter.Name, Instrument);

    [Fact]
    public async Task A_logout_on_one_instance_is_measured_once_on_the_other_with_its_path_and_not_where_it_was_made()
    {
        var user = await _a.RegisterAsync("pd");
        using var onA = _a.CreateClient();
        using var onB = _b.CreateClient();
        // B knows the user (its registration applied, and measured, before the collectors start).
        Assert.Equal(200, (await onB.GetJsonAsync("/api/hello/", user.Bearer)).Status);
        using var onAMeasured = Collect(_a);
        using var onBMeasured = Collect(_b);

        Assert.Equal(205, (await onA.PostJsonAsync("/api/logout/", new { refresh = user.Refresh }, user.Bearer)).Status);
        await UntilRefusedAsync(onB, user);
        await onBMeasured.WaitForMeasurementsAsync(1, TimeSpan.FromSeconds(10));

        var measured = Assert.Single(onBMeasured.GetMeasurementSnapshot());
        Assert.Equal(_a.IsOnPostgres ? "bus" : "feed", measured.Tags["tessera.revocation.path"]);
        Assert.True(measured.Value >= 0);
        Assert.Empty(onAMeasured.GetMeasurementSnapshot());
    }

    /// <summary>Until <paramref name="client"/>'s instance refuses the user's access token (401): it has applied the logout.</summary>
    private static async Task UntilRefusedAsync(HttpClient client, RegisteredUser user)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await client.GetJsonAsync("/api/hello/", user.Bearer)).Status != 401)
        {
            Assert.True(DateTime.UtcNow < deadline, "the other instance still admits the login");
            await Task.Delay(20);
        }
    }
}
