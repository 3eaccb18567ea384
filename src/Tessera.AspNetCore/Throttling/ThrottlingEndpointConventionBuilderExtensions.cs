using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Core.Throttling;

namespace Tessera.AspNetCore.Throttling;

public static class ThrottlingEndpointConventionBuilderExtensions
{
    /// <summary>
    /// Throttles the endpoint (or group) with the given scopes, as DRF's <c>throttle_classes</c>:
    /// <c>.RequireThrottling("anon", "user")</c> = <c>[AnonRateThrottle, UserRateThrottle]</c>; any
    /// other name behaves as <c>ScopedRateThrottle</c>. Each scope needs a rate in
    /// <c>Tessera:Throttling:Rates</c> (checked when the endpoint is built). Needs
    /// <see cref="ThrottlingServiceCollectionExtensions.AddTesseraThrottling"/>.
    /// </summary>
    public static TBuilder RequireThrottling<TBuilder>(this TBuilder builder, params string[] scopes)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(scopes);
        if (scopes.Length == 0 || scopes.Any(string.IsNullOrWhiteSpace))
            throw new ArgumentException("Name at least one throttle scope, none empty.", nameof(scopes));
        var list = scopes.ToArray();
        builder.WithMetadata(new ThrottleMetadata(list));
        builder.AddEndpointFilterFactory((factoryContext, next) =>
        {
            var services = factoryContext.ApplicationServices;
            var rates = services.GetService<ThrottleRates>()
                ?? throw new InvalidOperationException("RequireThrottling needs services.AddTesseraThrottling(configuration).");
            var filter = new ThrottlingEndpointFilter(list, rates, services.GetRequiredService<IRateLimitStore>(),
                services.GetService<Metrics.TesseraMetrics>());
            return invocationContext => filter.InvokeAsync(invocationContext, next);
        });
        return builder;
    }
}
