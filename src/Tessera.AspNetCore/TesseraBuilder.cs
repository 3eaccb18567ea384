using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Tessera.AspNetCore.Authentication;
using Tessera.AspNetCore.ApiKeys;
using Tessera.AspNetCore.Basic;
using Tessera.AspNetCore.Jwt;
using Tessera.AspNetCore.OpaqueTokens;
using Tessera.AspNetCore.Sessions;
using Tessera.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Tessera.AspNetCore.AccountRecovery;
using Tessera.AspNetCore.Email;
using Tessera.Core.Jwt;
using Tessera.Core.PurposeTokens;
using Tessera.Core.SigningKeys;
using Tessera.AspNetCore.SigningKeys;

namespace Tessera.AspNetCore;

/// <summary>
/// Returned by <c>AddTessera</c>: one call per credential kind, each binding its configuration
/// section, taking an <c>Action&lt;TOptions&gt;</c> applied after it, validated at start, and safe to
/// call twice. What is not added is absent: no scheme in the chain, no endpoints, no services.
/// </summary>
public sealed class TesseraBuilder
{
    private readonly TesseraFeatures _features;

    internal TesseraBuilder(IServiceCollection services, IConfiguration configuration, TesseraFeatures features)
    {
        Services = services;
        Configuration = configuration;
        _features = features;
    }

    public IServiceCollection Services { get; }

    /// <summary>Where every feature's section is read from (<c>Tessera:Jwt</c>, <c>Tessera:Sessions</c>, …).</summary>
    public IConfiguration Configuration { get; }

    /// <summary>
    /// SimpleJWT: <c>Authorization: Bearer</c> access and sliding tokens, the token endpoints
    /// (obtain, refresh, verify, blacklist, sliding), and the account endpoints that answer with a
    /// pair (register, password change, logout). Section <c>Tessera:Jwt</c>.
    /// </summary>
    public TesseraBuilder AddJwt(Action<JwtOptions>? configure = null, Action<JwtAuthenticationOptions>? configureScheme = null)
    {
        if (_features.Add(TesseraSchemes.Jwt))
        {
            Services.AddValidatedOptions<JwtOptions>(Configuration, JwtOptions.SectionName,
                (sp, o) => o.Validate(sp.GetRequiredService<IHostEnvironment>().IsDevelopment()));
            Services.AddSingleton<IPostConfigureOptions<JwtOptions>, DevelopmentSigningKey>();
            Services.AddSingleton(sp => sp.GetRequiredService<IOptions<JwtOptions>>().Value);
            Services.AddSingleton(sp => JwsSigningKey.FromOptions(sp.GetRequiredService<JwtOptions>()));
            // HS256: the one configured key. RS256, ES256, EdDSA: the deployment's ring, filled before
            // the first request by SigningKeyRingService.
            Services.AddSingleton(sp => new JwsKeyRing(JwsSigningKey.IsAsymmetric(sp.GetRequiredService<JwtOptions>().Algorithm)
                ? new JwsKeySet(null, [])
                : JwsKeySet.Single(sp.GetRequiredService<JwsSigningKey>())));
            AddSigningKeyRing();
            Services.AddSingleton(sp => new JwsCodec(sp.GetRequiredService<JwsKeyRing>()));
            Services.AddSingleton<TokenValidator>();
            Services.AddSingleton(sp => new ValidatedTokenCache(sp.GetRequiredService<JwtOptions>(), sp.GetRequiredService<JwsKeyRing>()));
            Services.AddSingleton<TokenIssuer>();
            Services.AddScoped<JwtLoginService>();
            AddCredentialScheme<JwtAuthenticationOptions, JwtCredentialScheme>(TesseraSchemes.Jwt, section: null);
            // Tessera:Jwt:AccessTokenCookie names the scheme's cookie; an app's configureScheme, registered after, has the last word.
            Services.AddOptions<JwtAuthenticationOptions>(TesseraSchemes.Jwt).Configure<IOptions<JwtOptions>>((scheme, jwt) =>
            {
                string? cookie;
                try
                {
                    cookie = jwt.Value.AccessTokenCookie;
                }
                catch (OptionsValidationException)
                {
                    return; // Tessera:Jwt's own problems, which its validation reports once
                }
                if (!string.IsNullOrEmpty(cookie))
                    scheme.AccessTokenCookieName = cookie;
            });
        }
        if (configure is not null)
            Services.Configure(configure); // after the section's binding, registered by the first call
        ConfigureScheme(TesseraSchemes.Jwt, configureScheme);
        return this;
    }

    /// <summary>
    /// The persisted key ring of an asymmetric algorithm (section <c>Tessera:SigningKeys</c>): its
    /// loading and rotation on every instance, the issuer inferred from the request, and the CLI's
    /// administration. Registered under every algorithm (the JWKS and discovery answer under HS256
    /// too); under HS256 the ring is the one configured key and nothing here runs.
    /// </summary>
    private void AddSigningKeyRing()
    {
        Services.AddValidatedOptions<SigningKeyOptions>(Configuration, SigningKeyOptions.SectionName, (sp, o) =>
        {
            JwtOptions jwt;
            try
            {
                jwt = sp.GetRequiredService<JwtOptions>();
            }
            catch (OptionsValidationException)
            {
                return []; // Tessera:Jwt's own problems, which its validation reports once
            }
            return o.Validate(jwt, sp.GetRequiredService<IHostEnvironment>().IsDevelopment());
        });
        // Null under HS256: the synchronizer and the Redis channel then have no ring to retire keys from.
        Services.AddSingleton(sp =>
        {
            var jwt = sp.GetRequiredService<JwtOptions>();
            if (!JwsSigningKey.IsAsymmetric(jwt.Algorithm))
                return null!;
            var options = sp.GetRequiredService<IOptions<SigningKeyOptions>>().Value;
            return new SigningKeyRingKeeper(sp.GetRequiredService<JwsKeyRing>(), SigningKeyProtector.FromOptions(options, jwt), options, jwt, sp.GetRequiredService<TimeProvider>());
        });
        Services.AddSingleton<IInferredIssuer, InferredIssuer>();
        Services.AddHostedService<SigningKeyRingService>();
        Services.AddScoped(sp => new SigningKeyAdministration(sp.GetRequiredService<ISigningKeyStore>(), sp.GetRequiredService<Core.Revocation.AdmissionChanges>(),
            sp.GetService<SigningKeyRingKeeper>() ?? throw new InvalidOperationException($"{JwtOptions.SectionName}:Algorithm is HS256: there is no key ring (RS256, ES256 or EdDSA have one)."),
            sp.GetRequiredService<TimeProvider>()));
    }

    /// <summary>
    /// Django's sessions with CSRF: the <c>sessionid</c> cookie, the <c>/session/</c> endpoints, and
    /// <c>HttpContext.SignInAsync</c>/<c>SignOutAsync</c> on <see cref="TesseraSchemes.Session"/>.
    /// Section <c>Tessera:Sessions</c>.
    /// </summary>
    public TesseraBuilder AddSessions(Action<SessionAuthenticationOptions>? configure = null)
    {
        if (_features.Add(TesseraSchemes.Session))
        {
            Services.AddScoped<SessionCookies>();
            Services.AddSingleton<ICredentialSignIn<SessionAuthenticationOptions>, SessionSignIn>();
            AddCredentialScheme<SessionAuthenticationOptions, SessionCredentialScheme>(TesseraSchemes.Session, SessionAuthenticationOptions.SectionName, signsIn: true);
        }
        ConfigureScheme(TesseraSchemes.Session, configure);
        return this;
    }

    /// <summary>DRF's TokenAuthentication: <c>Authorization: Token</c>, <c>/api-token-auth/</c>, <c>/api/tokens/</c>. Section <c>Tessera:OpaqueTokens</c>.</summary>
    public TesseraBuilder AddOpaqueTokens(Action<OpaqueTokenAuthenticationOptions>? configure = null)
    {
        if (_features.Add(TesseraSchemes.Token))
        {
            Services.AddScoped<Core.OpaqueTokens.OpaqueTokenIssuer>();
            AddCredentialScheme<OpaqueTokenAuthenticationOptions, OpaqueTokenCredentialScheme>(TesseraSchemes.Token, OpaqueTokenAuthenticationOptions.SectionName);
        }
        ConfigureScheme(TesseraSchemes.Token, configure);
        return this;
    }

    /// <summary>
    /// DRF's BasicAuthentication: <c>Authorization: Basic</c>, checked like a login, a verified pair
    /// remembered for <see cref="BasicAuthenticationOptions.CredentialCacheLifetime"/> (no endpoints).
    /// Section <c>Tessera:Basic</c>.
    /// </summary>
    public TesseraBuilder AddBasic(Action<BasicAuthenticationOptions>? configure = null)
    {
        if (_features.Add(TesseraSchemes.Basic))
        {
            AddCredentialScheme<BasicAuthenticationOptions, BasicCredentialScheme>(TesseraSchemes.Basic, BasicAuthenticationOptions.SectionName);
            Services.AddSingleton(sp =>
            {
                var basic = sp.GetRequiredService<IOptionsMonitor<BasicAuthenticationOptions>>().Get(TesseraSchemes.Basic);
                return new Core.Basic.VerifiedPasswordCache(basic.CredentialCacheLifetime, basic.CredentialCacheCapacity);
            });
        }
        ConfigureScheme(TesseraSchemes.Basic, configure);
        return this;
    }

    /// <summary>
    /// A credential kind, registered the one way every kind is: its logic, one for the whole app, which
    /// the chain and its scheme's handler share; its ASP.NET Core scheme with Tessera's one handler
    /// (<see cref="TesseraAuthenticationHandler{TOptions}"/>, or its sign-in variant); its options, bound
    /// from <paramref name="section"/> and validated at start (<see cref="CredentialSchemeOptions.Problems"/>).
    /// </summary>
    internal void AddCredentialScheme<TOptions, TScheme>(string name, string? section, bool signsIn = false)
        where TOptions : CredentialSchemeOptions, new()
        where TScheme : class, ICredentialScheme
    {
        Action<TOptions> bind = section is null ? _ => { } : o => Configuration.GetSection(section).Bind(o);
        if (signsIn)
            Authentication.AddScheme<TOptions, TesseraSignInAuthenticationHandler<TOptions>>(name, bind);
        else
            Authentication.AddScheme<TOptions, TesseraAuthenticationHandler<TOptions>>(name, bind);
        if (section is not null)
            Services.AddKnownTesseraSettings(section, typeof(TOptions));
        Services.AddSingleton<IValidateOptions<TOptions>>(new CredentialSchemeOptionsValidator<TOptions>(name));
        Services.AddOptions<TOptions>(name).ValidateOnStart();
        Services.AddSingleton<TScheme>();
        Services.AddSingleton<ICredentialScheme>(sp => sp.GetRequiredService<TScheme>());
    }

    private sealed class CredentialSchemeOptionsValidator<TOptions>(string scheme) : IValidateOptions<TOptions> where TOptions : CredentialSchemeOptions
    {
        public ValidateOptionsResult Validate(string? name, TOptions options)
        {
            if (name != scheme)
                return ValidateOptionsResult.Skip;
            var problems = options.Problems().ToList();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }

    /// <summary>API keys for services: <c>X-API-Key</c> and <c>/api/api-key/</c>. Section <c>Tessera:ApiKeys</c>.</summary>
    public TesseraBuilder AddApiKeys(Action<ApiKeyAuthenticationOptions>? configure = null)
    {
        if (_features.Add(TesseraSchemes.ApiKey))
        {
            Services.AddScoped<Core.ApiKeys.ApiKeyIssuer>();
            AddCredentialScheme<ApiKeyAuthenticationOptions, ApiKeyCredentialScheme>(TesseraSchemes.ApiKey, ApiKeyAuthenticationOptions.SectionName);
        }
        ConfigureScheme(TesseraSchemes.ApiKey, configure);
        return this;
    }

    /// <summary>
    /// Password reset and email verification: <c>/api/password/reset/</c> (+ <c>confirm/</c>),
    /// <c>/api/email/verify/</c> (+ <c>confirm/</c>), purpose tokens (<c>Tessera:Auth</c>), a
    /// verification mail when a profile's email changes, and mail (section <c>Tessera:Email</c>):
    /// SMTP through MailKit, or a pickup directory of <c>.eml</c> files, sent off the request path
    /// from a bounded queue with retries. An <see cref="IMailTransport"/> registered before this call
    /// replaces both.
    /// </summary>
    public TesseraBuilder AddAccountRecovery(Action<EmailOptions>? configure = null)
    {
        if (_features.Add(TesseraFeatures.AccountRecovery))
        {
            Services.AddValidatedOptions<EmailOptions>(Configuration, EmailOptions.SectionName, o => o.Validate());
            Services.TryAddSingleton<IMailTransport>(sp =>
            {
                var email = sp.GetRequiredService<IOptions<EmailOptions>>();
                if (!string.IsNullOrEmpty(email.Value.PickupDirectory))
                    return new PickupDirectoryMailTransport(email, sp.GetRequiredService<TimeProvider>());
                if (!string.IsNullOrEmpty(email.Value.Smtp.Host))
                    return new SmtpMailTransport(email);
                return ActivatorUtilities.CreateInstance<UnconfiguredMailTransport>(sp);
            });
            Services.AddSingleton<MailQueue>();
            Services.AddHostedService<MailDeliveryService>();
            Services.AddSingleton(sp => new PurposeTokenService(PurposeTokenSecret(sp), sp.GetRequiredService<TimeProvider>()));
            Services.AddSingleton<AccountMailRequests>();
            Services.AddSingleton<AccountMessages>();
            Services.AddSingleton<TargetEmailThrottle>();
            Services.AddHostedService<AccountMailComposer>();
        }
        if (configure is not null)
            Services.Configure(configure);
        return this;
    }

    // The same on every instance: configuration, never a per-process random key (validated at start by AuthOptions).
    private static byte[] PurposeTokenSecret(IServiceProvider services)
    {
        var auth = services.GetRequiredService<IOptions<AuthOptions>>().Value;
        // With an asymmetric algorithm Tessera:Jwt:SigningKey may be unset: the ring's protection key then.
        var secret = auth.TokenSecret ?? NonEmpty(services.GetService<IOptions<JwtOptions>>()?.Value.SigningKey)
            ?? NonEmpty(services.GetService<IOptions<SigningKeyOptions>>()?.Value.ProtectionKey)
            ?? throw new InvalidOperationException($"{AuthOptions.SectionName}:{nameof(AuthOptions.TokenSecret)} is required for account recovery without JWTs.");
        return System.Text.Encoding.UTF8.GetBytes(secret);

        static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
    }

    /// <summary>
    /// Real-time clients: WebSockets (<c>MapTesseraWebSocket</c>) and SignalR hubs authenticated by the
    /// chain and the gate, each closed the moment its login ends; tickets for browsers
    /// (<c>POST /api/ws-ticket/</c>), stored by an <c>IRealTimeTicketStore</c>
    /// (<c>AddEntityFrameworkStores</c> registers one). No settings of its own: a ticket lives 30 s at
    /// most, and a client has 5 s to answer Tessera's close.
    /// </summary>
    public TesseraBuilder AddRealTime()
    {
        if (_features.Add(TesseraFeatures.RealTime))
        {
            Services.AddSingleton<RealTime.LiveConnections>();
            RealTime.Tickets.RealTimeTicketRegistration.AddRealTimeTickets(this);
        }
        return this;
    }

    /// <summary>
    /// Sign-in with the ID tokens of OpenID Connect providers (section <c>Tessera:ExternalLogin</c>:
    /// <c>Providers:&lt;name&gt;</c> with its <c>Authority</c> and <c>ClientIds</c>; presets for
    /// <c>google</c>, <c>apple</c>, <c>microsoft</c>; or added in code through
    /// <paramref name="configure"/>): <c>POST /api/auth/external/&lt;name&gt;/</c> answers a JWT pair
    /// (so it needs <see cref="AddJwt"/>), and a signed-in user lists, links and unlinks providers.
    /// Identities and used ID tokens are kept by an <c>IExternalIdentityStore</c> and an
    /// <c>IUsedIdTokenStore</c> (<c>AddEntityFrameworkStores</c> registers both).
    /// </summary>
    public TesseraBuilder AddExternalLogin(Action<ExternalLogin.ExternalLoginOptions>? configure = null)
    {
        if (_features.Add(TesseraFeatures.ExternalLogin))
        {
            Services.AddValidatedOptions<ExternalLogin.ExternalLoginOptions>(Configuration, ExternalLogin.ExternalLoginOptions.SectionName, o => o.Validate());
            Services.AddSingleton<IPostConfigureOptions<ExternalLogin.ExternalLoginOptions>, ExternalLogin.ExternalProviderPresets>();
            Services.AddHttpClient(ExternalLogin.ExternalProviders.HttpClientName);
            Services.AddSingleton(sp => ActivatorUtilities.CreateInstance<ExternalLogin.ExternalProviders>(sp));
            Services.AddScoped(sp => ActivatorUtilities.CreateInstance<Core.ExternalLogin.ExternalAccounts>(sp));
        }
        if (configure is not null)
            Services.Configure(configure);
        return this;
    }

    /// <summary>
    /// An authentication scheme of the app's own, registered by the app as usual, tried after
    /// Tessera's schemes in the chain (DRF's authentication_classes, with the app's class last). Its
    /// handler decides alone when it finds its credential, as Tessera's do.
    /// </summary>
    public TesseraBuilder AddSchemeToChain(string scheme)
    {
        ArgumentException.ThrowIfNullOrEmpty(scheme);
        _features.Add(scheme);
        return this;
    }

    private AuthenticationBuilder Authentication => new(Services);

    private void ConfigureScheme<TOptions>(string scheme, Action<TOptions>? configure) where TOptions : AuthenticationSchemeOptions
    {
        if (configure is not null)
            Services.Configure(scheme, configure);
    }
}

/// <summary>
/// What an app added (<see cref="TesseraBuilder"/>): the schemes of the chain, in the contract's order
/// and then the app's own, and what <c>MapTesseraAuth</c> maps.
/// </summary>
internal sealed class TesseraFeatures
{
    /// <summary>Added by <see cref="TesseraBuilder.AddAccountRecovery"/>.</summary>
    public const string AccountRecovery = "feature:account-recovery";

    /// <summary>Added by <see cref="TesseraBuilder.AddRealTime"/>.</summary>
    public const string RealTime = "feature:real-time";

    /// <summary>Added by <see cref="TesseraBuilder.AddExternalLogin"/>.</summary>
    public const string ExternalLogin = "feature:external-login";

    private readonly List<string> _added = [];

    public bool Has(string feature)
    {
        lock (_added)
            return _added.Contains(feature);
    }

    /// <summary>The schemes to try: Tessera's in DRF's order (JWT, session, token, Basic, API key), then the app's, as added.</summary>
    public IReadOnlyList<string> Chain
    {
        get
        {
            lock (_added)
            {
                var ours = TesseraSchemes.InOrder.Where(_added.Contains);
                var theirs = _added.Where(f => !TesseraSchemes.InOrder.Contains(f) && !f.StartsWith("stores:", StringComparison.Ordinal) && !f.StartsWith("feature:", StringComparison.Ordinal));
                // Tickets after Tessera's own kinds (JWT's stays the first, the challenge of a request with none).
                string[] tickets = _added.Contains(RealTime) ? [TesseraSchemes.Ticket] : [];
                return [.. ours, .. tickets, .. theirs];
            }
        }
    }

    internal bool Add(string feature)
    {
        lock (_added)
        {
            if (_added.Contains(feature))
                return false;
            _added.Add(feature);
            return true;
        }
    }
}
