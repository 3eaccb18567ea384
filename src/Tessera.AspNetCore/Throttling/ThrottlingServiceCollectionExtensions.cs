using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Tessera.AspNetCore.Hosting;
using Tessera.Core.Throttling;

namespace Tessera.AspNetCore.Throttling;

public static class ThrottlingServiceCollectionExtensions
{
    /// <summary>
    /// Request throttling: <see cref="ThrottlingOptions"/> from <c>Tessera:Throttling</c> (every rate
    /// validated at start) and the in-memory <see cref="IRateLimitStore"/> unless one is already
    /// registered (register a shared store before or instead to count across instances).
    /// </summary>
    public static IServiceCollection AddTesseraThrottling(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddValidatedOptions<ThrottlingOptions>(configuration, ThrottlingOptions.SectionName, o => o.Validate());
        services.TryAddSingleton<ThrottleRates>();
        services.TryAddSingleton<IRateLimitStore>(sp => new InMemoryRateLimitStore(sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    /// <summary>
    /// Login brute-force protection: <see cref="LoginProtectionOptions"/> from <c>Tessera:LoginProtection</c>
    /// (validated at start), the in-memory <see cref="ILoginAttemptStore"/> unless one is already
    /// registered, <see cref="LoginAttemptLimiter"/> and the endpoints' helper <see cref="LoginProtection"/>.
    /// </summary>
    public static IServiceCollection AddTesseraLoginProtection(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddValidatedOptions<LoginProtectionOptions>(configuration, LoginProtectionOptions.SectionName, o => o.Validate());
        services.TryAddSingleton<ILoginAttemptStore>(sp => new InMemoryLoginAttemptStore(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new LoginAttemptLimiter(
            sp.GetRequiredService<ILoginAttemptStore>(),
            sp.GetRequiredService<IOptions<LoginProtectionOptions>>().Value,
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<LoginProtection>();
        return services;
    }
}
