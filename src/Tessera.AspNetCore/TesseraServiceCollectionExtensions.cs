using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Tessera.AspNetCore.Authentication;
using Tessera.AspNetCore.Authentication.Jwt;
using Tessera.AspNetCore.Authorization;
using Tessera.AspNetCore.Hosting;
using Tessera.Core.Admission;
using Tessera.Core.Credentials;
using Tessera.Core.Logins;
using Tessera.Core.Tokens;
using Tessera.Core.Users;

namespace Tessera.AspNetCore;

public static class TesseraServiceCollectionExtensions
{
    /// <summary>
    /// Tessera's services, settings (the <c>Tessera</c> section, validated at start), authentication
    /// schemes and policies. Follow with a store, e.g. <c>.AddEntityFrameworkStores&lt;AppDbContext&gt;()</c>.
    /// </summary>
    public static TesseraBuilder AddTessera(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);

        services.AddOptions<JwtOptions>().Bind(configuration.GetSection(JwtOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IPostConfigureOptions<JwtOptions>, DevelopmentSigningKey>();
        services.AddSingleton<IValidateOptions<JwtOptions>, JwtOptionsValidator>();
        services.AddOptions<PasswordHashingOptions>().Bind(configuration.GetSection(PasswordHashingOptions.SectionName))
            .Validate(o => !o.Validate().Any(), "Tessera:Passwords is invalid.").ValidateOnStart();
        services.AddOptions<ExpiredTokenSweeperOptions>().Bind(configuration.GetSection(ExpiredTokenSweeperOptions.SectionName));

        services.AddSingleton(sp => sp.GetRequiredService<IOptions<JwtOptions>>().Value);
        services.AddSingleton(sp => JwsSigningKey.FromOptions(sp.GetRequiredService<JwtOptions>()));
        services.AddSingleton<JwsCodec>();
        services.AddSingleton<TokenValidator>();
        services.AddSingleton<TokenIssuer>();
        services.AddSingleton(sp => new PasswordHashingPool(sp.GetRequiredService<IOptions<PasswordHashingOptions>>().Value));
        services.AddScoped<PasswordSignIn>();
        services.AddScoped<AdmissionGate>();
        services.AddScoped<JwtLoginService>();
        services.AddHostedService<ExpiredTokenSweeper>();

        var selector = new CredentialSchemeSelector();
        selector.Add(TesseraSchemes.Jwt, context => JwtAuthenticationHandler.HasCredentials(context,
            context.RequestServices.GetRequiredService<IOptionsMonitor<JwtAuthenticationOptions>>().Get(TesseraSchemes.Jwt)));
        services.AddSingleton(selector);
        services.AddAuthentication(TesseraSchemes.Default)
            .AddPolicyScheme(TesseraSchemes.Default, "Tessera", o => o.ForwardDefaultSelector = selector.Select)
            .AddScheme<JwtAuthenticationOptions, JwtAuthenticationHandler>(TesseraSchemes.Jwt, _ => { });
        services.AddAuthorizationBuilder()
            .AddPolicy(TesseraPolicies.IsAdminUser, p => p.RequireRole(AuthenticatedUser.StaffRole))
            .AddPolicy(TesseraPolicies.IsPremium, p => p.RequireRole(AuthenticatedUser.PremiumRole));

        return new TesseraBuilder(services);
    }
}
