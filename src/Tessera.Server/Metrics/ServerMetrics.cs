using OpenTelemetry.Metrics;
using Tessera.AspNetCore.Authorization;
using Tessera.AspNetCore.Hosting;
using Tessera.AspNetCore.Metrics;

namespace Tessera.Server.Metrics;

/// <summary>The server's settings for exporting metrics (section <c>Tessera:Metrics</c>).</summary>
public sealed class ServerMetricsOptions
{
    public const string SectionName = "Tessera:Metrics";

    /// <summary>A Prometheus scrape endpoint at <c>/metrics/</c>. Default false.</summary>
    public bool Prometheus { get; set; }

    /// <summary>Whether anyone may scrape <c>/metrics/</c> (a private network); otherwise staff only. Default false.</summary>
    public bool AllowAnonymous { get; set; }

    /// <summary>An OpenTelemetry collector to push to over OTLP (e.g. <c>http://127.0.0.1:4317</c>); none when unset.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>
    /// ASP.NET Core's own request and Kestrel meters too (<c>http.server.request.duration</c>, …). Default
    /// false: their histogram with several tags on every request brought a JWT request to 0.89 of its
    /// throughput in a short load run here (bench/results/2026-12-07-issue25.md), where Tessera's
    /// counters alone cost nothing measurable.
    /// </summary>
    public bool AspNetCore { get; set; }
}

/// <summary>
/// Exports the meter <see cref="TesseraMeter.Name"/> (and, with <see cref="ServerMetricsOptions.AspNetCore"/>,
/// ASP.NET Core's own request and Kestrel meters) with OpenTelemetry when a setting asks for it: a Prometheus scrape at <c>/metrics/</c>, an
/// OTLP push, or both. Without either, nothing listens, and an instrument costs one check.
/// </summary>
internal static class ServerMetrics
{
    public const string ScrapePath = "/metrics/";

    public static void AddServerMetrics(this WebApplicationBuilder builder)
    {
        builder.Services.AddKnownTesseraSettings(ServerMetricsOptions.SectionName, typeof(ServerMetricsOptions));
        var settings = Read(builder.Configuration);
        if (!settings.Prometheus && string.IsNullOrWhiteSpace(settings.OtlpEndpoint))
            return;
        builder.Services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            metrics.AddMeter(TesseraMeter.Name);
            if (settings.AspNetCore)
                metrics.AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel");
            if (settings.Prometheus)
                metrics.AddPrometheusExporter();
            if (!string.IsNullOrWhiteSpace(settings.OtlpEndpoint))
                metrics.AddOtlpExporter(o => o.Endpoint = new Uri(settings.OtlpEndpoint));
        });
    }

    public static void MapServerMetrics(this WebApplication app)
    {
        var settings = Read(app.Configuration);
        if (!settings.Prometheus)
            return;
        var scrape = app.MapPrometheusScrapingEndpoint(ScrapePath);
        if (settings.AllowAnonymous)
            scrape.AllowAnonymous();
        else
            scrape.RequireAuthorization(TesseraPolicies.IsAdminUser);
    }

    private static ServerMetricsOptions Read(IConfiguration configuration)
        => configuration.GetSection(ServerMetricsOptions.SectionName).Get<ServerMetricsOptions>() ?? new ServerMetricsOptions();
}
