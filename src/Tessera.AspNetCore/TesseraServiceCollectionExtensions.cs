using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tessera.AspNetCore.Authentication;
using Tessera.AspNetCore.ApiKeys;
using Tessera.AspNetCore.Basic;
using Tessera.AspNetCore.Jwt;
using Tessera.AspNetCore.OpaqueTokens;
using Tessera.AspNetCore.Sessions;
using Tessera.AspNetCore.Authorization;
using Tessera.AspNetCore.Cors;
using Tessera.AspNetCore.Credentials;
using Tessera.Core.Credentials;
using Tessera.AspNetCore.Events;
using Tessera.AspNetCore.Hosting;
using Tessera.AspNetCore.FastPipeline;
using Tessera.AspNetCore.Revocation;
using Tessera.AspNetCore.Throttling;
using Tessera.Core.Admission;
using Tessera.Core.Passwords;
using Tessera.Core.Jwt;
using Tessera.Core.Revocation;
using Tessera.Core.SigningKeys;
using Tessera.Core.Users;
using Tessera.AspNetCore.Passwords;
using Tessera.AspNetCore.AccountRecovery;
using Tessera.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing;

namespace Tessera.AspNetCore;

public static class TesseraServiceCollectionExtensions
{
    /// <summary>
    /// Tessera's core: users, passwords and login protection, the admission gate and revocation, CORS,
    /// throttling, DRF's permission policies and the scheme chain as the default authentication
    /// scheme. Settings come from the <c>Tessera</c> section and are validated at start. Follow with
    /// the credential kinds the app wants and a store:
    /// <c>.AddJwt().AddSessions().AddEntityFrameworkStores&lt;AppDbContext&gt;()</c>.
    /// </summary>
    /// <param name="configure">The app's events (<see cref="TesseraOptions.Events"/>) and other options beyond the settings.</param>
    public static TesseraBuilder AddTessera(this IServiceCollection services, IConfiguration configuration, Action<TesseraOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        if (configure is not null)
            services.Configure(configure);
        if (services.FirstOrDefault(d => d.ServiceType == typeof(TesseraFeatures))?.ImplementationInstance is TesseraFeatures existing)
            return new TesseraBuilder(services, configuration, existing); // called twice: one registration
        var features = new TesseraFeatures();
        services.AddSingleton(features);
        services.TryAddSingleton(TimeProvider.System);
        services.TesseraSettings();
        services.AddHostedService<SettingsCheck>();
        ConfigurationErrorExit.Install();
        AddPasswords(services, configuration);
        AddRevocation(services, configuration);
        AddStoredCredentials(services, configuration);
        AddCors(services, configuration);
        AddAuthentication(services, features);
        services.AddTesseraThrottling(configuration);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<MatcherPolicy, ExactPathMatcherPolicy>());
        // An app's own minimal-API endpoints report a body they cannot read as an exception, which
        // ErrorHandlingMiddleware answers in DRF's words (else: an empty 400 outside Development).
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return new TesseraBuilder(services, configuration, features);
    }

    private static void AddPasswords(IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<PasswordHashingOptions>(configuration, PasswordHashingOptions.SectionName, o => o.Validate());
        services.AddSingleton(sp =>
        {
            var pool = new PasswordHashingPool(sp.GetRequiredService<IOptions<PasswordHashingOptions>>().Value);
            sp.GetService<Metrics.TesseraMetrics>()?.Observe(pool);
            return pool;
        });
        services.AddValidatedOptions<PasswordPolicyOptions>(configuration, PasswordPolicyOptions.SectionName, o => o.Validate());
        services.AddSingleton(sp => new PasswordPolicy(sp.GetRequiredService<IOptions<PasswordPolicyOptions>>().Value));
        services.AddScoped<PasswordSignIn>();
        services.AddScoped<ProtectedSignIn>();
        services.AddTesseraLoginProtection(configuration);
    }

    /// <summary>The gate's memory, the feed that keeps it current, and the sweeper that bounds it.</summary>
    private static void AddRevocation(IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<RevocationState>();
        services.AddSingleton<UserSnapshots>();
        services.AddSingleton<RevocationSynchronizer>();
        services.AddSingleton<TesseraEventsDispatcher>();
        services.AddSingleton<ILoginEvents>(sp => sp.GetRequiredService<TesseraEventsDispatcher>());
        services.AddSingleton<IAdmissionRule>(sp => sp.GetRequiredService<TesseraEventsDispatcher>());
        // Tessera:Auth:RequireVerifiedEmail, before the app's own rules; absent from the gate when off.
        services.AddValidatedOptions<AuthOptions>(configuration, AuthOptions.SectionName, (sp, o) =>
        {
            var features = sp.GetRequiredService<TesseraFeatures>();
            return o.Validate(features.Has(TesseraFeatures.AccountRecovery), features.Has(TesseraSchemes.Jwt));
        });
        services.AddSingleton<VerifiedEmailRule>();
        services.AddSingleton<IAdmissionRule>(sp => sp.GetRequiredService<VerifiedEmailRule>());
        services.AddSingleton<AdmissionGate>(sp => new AdmissionGate(
            sp.GetRequiredService<RevocationState>(), sp.GetRequiredService<UserSnapshots>(), sp.GetRequiredService<IRevocationFeed>(),
            sp.GetServices<IAdmissionRule>().Where(rule => rule is not (TesseraEventsDispatcher { HasAdmissionRule: false } or VerifiedEmailRule { IsEnabled: false })),
            sp.GetRequiredService<IRevocationBusState>()));
        services.AddSingleton<AppliedAdmissionChanges>();
        services.AddScoped<InProcessRevocationBus>();
        services.AddScoped<IRevocationBus>(sp => sp.GetRequiredService<InProcessRevocationBus>());
        services.TryAddSingleton<IRevocationBusState>(AlwaysLive.Instance);
        services.AddScoped<AdmissionChanges>();
        services.AddScoped<UserAdministration>();
        services.AddValidatedOptions<RevocationFeedOptions>(configuration, RevocationFeedOptions.SectionName, o => o.Validate());
        services.AddSingleton<RevocationFeedService>();
        services.AddSingleton<IRevocationFeed>(sp => sp.GetRequiredService<RevocationFeedService>());
        services.AddHostedService(sp => sp.GetRequiredService<RevocationFeedService>());
        services.AddValidatedOptions<ExpiredTokenSweeperOptions>(configuration, ExpiredTokenSweeperOptions.SectionName, o => o.Validate());
        services.AddHostedService<ExpiredTokenSweeper>();
        services.AddValidatedOptions<Core.Audit.AuditOptions>(configuration, Core.Audit.AuditOptions.SectionName, o => o.Validate());
        services.AddSingleton<Audit.SecurityLog>();
        services.AddSingleton<Audit.AuditRecorder>();
        services.AddHostedService<Audit.AuditFlushService>();
        services.AddSingleton<Core.Audit.IRequestOrigin, Http.HttpRequestOrigin>();
        services.AddValidatedOptions<RevocationStreamOptions>(configuration, RevocationStreamOptions.SectionName, o => o.Validate());
        services.AddSingleton(sp => StartedRevocationStreamSource(sp));
    }

    private static RevocationStreamSource StartedRevocationStreamSource(IServiceProvider sp)
    {
        var source = new RevocationStreamSource(
            sp.GetRequiredService<AppliedAdmissionChanges>(), sp.GetRequiredService<RevocationState>(), sp.GetRequiredService<UserSnapshots>(),
            sp.GetRequiredService<RevocationSynchronizer>(), sp.GetRequiredService<IServiceScopeFactory>(), sp.GetRequiredService<TimeProvider>(),
            // How long a token may live: without JWTs, a day (the feed's own horizon).
            sp.GetService<JwtOptions>()?.LongestTokenLifetime ?? TimeSpan.FromDays(1),
            sp.GetService<SigningKeyRingKeeper>());
        source.Start();
        return source;
    }

    /// <summary>What sessions, DRF tokens and API keys share: the seal in their secrets and the memory that admits them.</summary>
    private static void AddStoredCredentials(IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<RememberedCredentialsOptions>(configuration, RememberedCredentialsOptions.SectionName, o => o.Validate());
        services.AddSingleton<CredentialSeal>();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<RememberedCredentialsOptions>>().Value;
            return new RememberedCredentials(sp.GetRequiredService<CredentialSeal>(), sp.GetRequiredService<RevocationState>(), sp.GetRequiredService<UserSnapshots>(), sp.GetRequiredService<TimeProvider>(),
                options.RememberFor, options.Capacity);
        });
        services.AddHostedService<CredentialSealLoader>();
    }

    private static void AddCors(IServiceCollection services, IConfiguration configuration)
    {
        var cors = configuration.GetSection(TesseraCorsOptions.SectionName).Get<TesseraCorsOptions>() ?? new TesseraCorsOptions();
        services.AddValidatedOptions<TesseraCorsOptions>(configuration, TesseraCorsOptions.SectionName, o => o.Validate());
        services.AddCors(o => o.AddPolicy(TesseraCorsOptions.PolicyName, policy =>
        {
            policy.WithOrigins([.. cors.AllowedOrigins])
                .WithHeaders(TesseraCorsOptions.AllowedHeaders)
                .WithMethods(TesseraCorsOptions.AllowedMethods)
                .SetPreflightMaxAge(cors.PreflightMaxAge);
            if (cors.AllowCredentials)
                policy.AllowCredentials();
        }));
    }

    /// <summary>The chain of the schemes the app added, behind DRF's loop, and DRF's permission policies.</summary>
    private static void AddAuthentication(IServiceCollection services, TesseraFeatures features)
    {
        services.AddOptions<SchemeChainOptions>()
            .Configure(o => o.Schemes.AddRange(features.Chain))
            .Validate(o => o.Schemes.Count > 0, "Tessera has no credential kind: add one after AddTessera (AddJwt, AddSessions, AddOpaqueTokens, AddBasic, AddApiKeys).")
            .ValidateOnStart();
        services.AddMetrics(); // IMeterFactory, which the host registers too; a bare ServiceCollection may not
        services.AddSingleton<Metrics.TesseraMetrics>();
        services.AddSingleton<CredentialAuthentication>();
        services.AddSingleton<IConfigureOptions<LoggerFilterOptions>, AccessLogDefault>();
        services.AddSingleton<Core.Logins.LoginActivity>();
        services.AddSingleton<Logins.LoginActivityFlusher>();
        services.AddHostedService(sp => sp.GetRequiredService<Logins.LoginActivityFlusher>());
        services.AddSingleton<SchemeChain>();
        services.AddSingleton<RefusalAnswers>();
        // It reads the app's registrations when first used (after the host is built), as the policy evaluator does.
        services.AddSingleton(sp => new SchemeChainRefusals(
            sp.GetRequiredService<SchemeChain>(), sp.GetRequiredService<IAuthenticationSchemeProvider>(), sp.GetRequiredService<IOptions<AuthenticationOptions>>(),
            sp, sp.GetRequiredService<RefusalAnswers>(),
            !StockPipeline.IsUsed(services) && StockRegistrations.IsStock(services, typeof(IAuthenticationService), typeof(AuthenticationService))));
        services.AddAuthentication(o =>
        {
            o.AddScheme<SchemeChainHandler>(TesseraSchemes.Default, "Tessera");
            o.DefaultScheme = TesseraSchemes.Default;
        });
        services.AddHttpContextAccessor();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationHandler, ReadOnlyOrHandler>();
        // One for the app, in the place of the stock one built per request; it reads the app's registrations when first used.
        services.AddSingleton<Microsoft.AspNetCore.Authorization.Policy.IPolicyEvaluator>(_ => new TesseraPolicyEvaluator(services));
        services.AddAuthorizationBuilder()
            .AddPolicy(TesseraPolicies.IsAdminUser, p => p.RequireRole(AuthenticatedUser.StaffRole))
            .AddPolicy(TesseraPolicies.IsAuthenticatedOrReadOnly, p => p.AddRequirements(new AuthenticatedOrReadOnlyRequirement()))
            .AddPolicy(TesseraPolicies.IsOwnerOrReadOnly, p => p.AddRequirements(new OwnerOrReadOnlyRequirement()));
    }
}
