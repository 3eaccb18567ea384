using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tessera.AspNetCore;
using Tessera.Core.ApiKeys;
using Tessera.Core.Credentials;
using Tessera.Core.ExternalLogin;
using Tessera.EntityFrameworkCore.ExternalLogin;
using Tessera.EntityFrameworkCore.Credentials;
using Tessera.Core.OpaqueTokens;
using Tessera.Core.RealTime;
using Tessera.EntityFrameworkCore.RealTime;
using Tessera.Core.Revocation;
using Tessera.Core.Sessions;
using Tessera.EntityFrameworkCore.ApiKeys;
using Tessera.EntityFrameworkCore.OpaqueTokens;
using Tessera.EntityFrameworkCore.Sessions;
using Tessera.Core.SigningKeys;
using Tessera.EntityFrameworkCore.SigningKeys;
using Tessera.Core.Users;
using Tessera.Core.Logins;
using Tessera.EntityFrameworkCore.Logins;
using Tessera.EntityFrameworkCore.Revocation;
using Tessera.EntityFrameworkCore.Users;

namespace Tessera.EntityFrameworkCore;

public static class TesseraEntityFrameworkBuilderExtensions
{
    /// <summary>
    /// Tessera's stores over the application's EF Core context, which derives from
    /// <see cref="TesseraDbContext"/> and is registered by the app (AddDbContext), as ASP.NET Core
    /// Identity's <c>AddEntityFrameworkStores</c>. Called twice: one registration.
    /// </summary>
    public static TesseraBuilder AddEntityFrameworkStores<TContext>(this TesseraBuilder builder)
        where TContext : TesseraDbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(TesseraDbContext)))
            return builder;
        services.AddScoped<TesseraDbContext>(sp => sp.GetRequiredService<TContext>());
        services.AddScoped<IUserStore, EfUserStore>();
        services.AddScoped<ITokenBlacklist, EfTokenBlacklist>();
        services.AddScoped<ISessionStore, EfSessionStore>();
        services.AddScoped<IOpaqueTokenStore, EfOpaqueTokenStore>();
        services.AddScoped<IApiKeyStore, EfApiKeyStore>();
        services.AddScoped<IUserChangeStore, EfUserChangeStore>();
        services.AddScoped<IAdmissionChangeFeedStore, EfAdmissionChangeFeedStore>();
        services.AddScoped<IRefreshTokenLedger, EfRefreshTokenLedger>();
        services.AddScoped<ICredentialSealStore, EfCredentialSealStore>();
        services.AddScoped<IExpiringRecords, EfRevokedLoginRecords>();
        services.AddScoped<IExpiringRecords, EfRevocationEventRecords>();
        services.AddScoped<IExpiringRecords>(sp => sp.GetRequiredService<ITokenBlacklist>());
        services.AddScoped<IExpiringRecords>(sp => sp.GetRequiredService<ISessionStore>());
        services.AddScoped<IExpiringRecords>(sp => sp.GetRequiredService<IOpaqueTokenStore>());
        services.AddScoped<IExpiringRecords>(sp => sp.GetRequiredService<IApiKeyStore>());
        services.AddScoped<ISigningKeyStore, EfSigningKeyStore>();
        services.AddScoped<IExpiringRecords>(sp => sp.GetRequiredService<ISigningKeyStore>());
        services.AddScoped<IRealTimeTicketStore, EfRealTimeTicketStore>();
        services.AddScoped<IExpiringRecords>(sp => sp.GetRequiredService<IRealTimeTicketStore>());
        services.AddScoped<IExternalIdentityStore, EfExternalIdentityStore>();
        services.AddScoped<IUsedIdTokenStore, EfUsedIdTokenStore>();
        services.AddScoped<IExpiringRecords>(sp => sp.GetRequiredService<IUsedIdTokenStore>());
        services.AddScoped<ILoginRecordStore, EfLoginRecordStore>();
        services.AddScoped<IExpiringRecords>(sp => sp.GetRequiredService<ILoginRecordStore>());
        services.AddScoped<LoginRecords>();
        services.AddScoped<AccountLogins>();
        services.AddScoped<Core.Audit.IAuditStore, Audit.EfAuditStore>();
        services.AddScoped<IExpiringRecords>(sp => sp.GetRequiredService<Core.Audit.IAuditStore>());
        return builder;
    }
}
