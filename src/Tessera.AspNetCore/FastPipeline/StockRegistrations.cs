using Microsoft.Extensions.DependencyInjection;

namespace Tessera.AspNetCore.FastPipeline;

/// <summary>
/// Whether the app left one of ASP.NET Core's services as ASP.NET Core registered it, read from the
/// registrations: Tessera's shortcuts past a stock service hold only while that service is the stock one.
/// </summary>
internal static class StockRegistrations
{
    /// <summary>
    /// The last registration of <paramref name="service"/> (the one resolved) is <paramref name="stock"/>
    /// or a subclass of it from the same assembly (ASP.NET Core's own may add metrics to its default:
    /// DefaultAuthorizationServiceImpl, AuthenticationServiceImpl), or there is none.
    /// </summary>
    public static bool IsStock(IServiceCollection services, Type service, Type stock)
        => services.LastOrDefault(d => d.ServiceType == service) is not { } d
           || (!d.IsKeyedService && d.ImplementationType is { } type && stock.IsAssignableFrom(type) && type.Assembly == stock.Assembly);
}
