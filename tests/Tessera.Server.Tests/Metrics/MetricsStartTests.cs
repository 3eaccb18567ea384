using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Tessera.AspNetCore.Metrics;
using Tessera.Core.Revocation;
using Tessera.Server.Tests.Library;

namespace Tessera.Server.Tests.Metrics;

/// <summary>
/// A library app's metrics are built as the host starts (the services it starts need them), so a change
/// another instance makes is measured even when it arrives before this instance has answered a request:
/// a guard against making them lazy.
/// </summary>
[Trait("Storage", "Sqlite")] // its own SQLite deployment: run once, in the SQLite pass
public sealed class MetricsStartTests
{
    [Fact]
    public async Task A_change_from_elsewhere_is_measured_before_the_first_request()
    {
        var host = new LibraryHost(t => t.AddJwt(), app => app.MapGet("/api/hello/", () => Results.Ok()).RequireAuthorization());
        await host.InitializeAsync();
        try
        {
            using var measured = new MetricCollector<double>(host.App.Services.GetRequiredService<IMeterFactory>(), TesseraMeter.Name,
                "tessera.revocation.propagation.delay");
            var committed = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            // As the feed hands over a change another instance committed.
            host.App.Services.GetRequiredService<AppliedAdmissionChanges>().Raise(
                new AdmissionChange(1, AdmissionChangeKind.UserChanged, 42, null, 0) { CommittedAtMs = committed }, AdmissionChangePath.Feed);

            var measurement = Assert.Single(measured.GetMeasurementSnapshot());
            Assert.Equal("feed", measurement.Tags["tessera.revocation.path"]);
        }
        finally
        {
            await host.DisposeAsync();
        }
    }
}
