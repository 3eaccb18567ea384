using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Core.ApiKeys;
using Tessera.Core.Credentials;
using Tessera.Data.Credentials;
using Tessera.Core.OpaqueTokens;
using Tessera.Core.Revocation;
using Tessera.Core.Sessions;
using Tessera.Data.ApiKeys;
using Tessera.Data.OpaqueTokens;
using Tessera.Data.Sessions;
using Tessera.Core.Users;
using Tessera.Data.Revocation;
using Tessera.Data.Users;

namespace Tessera.Data;

public static class TesseraDataServiceCollectionExtensions
{
    /// <summary>
    /// Registers the EF Core stores over the application's context, which derives from
    /// <see cref="TesseraDbContext"/> and must itself be registered (AddDbContext).
    /// </summary>
    public static IServiceCollection AddTesseraEntityFrameworkStores<TContext>(this IServiceCollection services)
        where TContext : TesseraDbContext
    {
        services.AddScoped<TesseraDbContext>(sp => sp.GetRequiredService<TContext>());
        services.AddScoped<IUserStore, EfUserStore>();
        services.AddScoped<ITokenBlacklist, EfTokenBlacklist>();
        services.AddScoped<ISessionStore, EfSessionStore>();
        services.AddScoped<IOpaqueTokenStore, EfOpaqueTokenStore>();
        services.AddScoped<IApiKeyStore, EfApiKeyStore>();
        services.AddScoped<IRevocationStore, EfRevocationStore>();
        services.AddScoped<ICredentialSealStore, EfCredentialSealStore>();
        services.AddScoped<IExpiringRecords, EfRevokedLoginRecords>();
        services.AddScoped<IExpiringRecords, EfRevocationEventRecords>();
        services.AddScoped<IExpiringRecords>(sp => sp.GetRequiredService<ITokenBlacklist>());
        services.AddScoped<IExpiringRecords>(sp => sp.GetRequiredService<ISessionStore>());
        services.AddScoped<IExpiringRecords>(sp => sp.GetRequiredService<IOpaqueTokenStore>());
        services.AddScoped<IExpiringRecords>(sp => sp.GetRequiredService<IApiKeyStore>());
        return services;
    }
}
