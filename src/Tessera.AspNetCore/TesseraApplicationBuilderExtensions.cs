using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Tessera.AspNetCore.Authentication;
using Tessera.AspNetCore.Cors;
using Tessera.AspNetCore.FastPipeline;
using Tessera.AspNetCore.Http;
using Tessera.AspNetCore.Jwt;
using Tessera.AspNetCore.Sessions;
using Tessera.AspNetCore.OpaqueTokens;
using Tessera.AspNetCore.ApiKeys;
using Tessera.AspNetCore.Users;
using Tessera.AspNetCore.AccountRecovery;
using Tessera.AspNetCore.Revocation;
using Tessera.AspNetCore.Routing;

namespace Tessera.AspNetCore;

public static class TesseraApplicationBuilderExtensions
{
    /// <summary>
    /// What it takes over, for every request that passes it (place it after the host's own
    /// middleware that should keep its say): (1) errors — an unhandled exception becomes DRF's JSON
    /// 500 (a database fault 503, a full hashing queue 503), and a bodiless 404 or 405 gets DRF's JSON
    /// body; (2) CORS, with the <c>Tessera:Cors</c> policy, for every path; (3) authentication with
    /// Tessera's scheme chain as the default scheme, in the place of <c>UseAuthentication()</c>;
    /// (4) authorization, in the place of <c>UseAuthorization()</c> (both in FastPipeline/, which says
    /// what they replace and why); with <c>AddRealTime()</c>, WebSockets (<c>UseWebSockets()</c>) before them. Nothing else: responses that
    /// already have a body, and the host's own endpoints, are left as they are.
    /// </summary>
    public static IApplicationBuilder UseTessera(this IApplicationBuilder app)
    {
        app.UseMiddleware<ErrorHandlingMiddleware>();
        app.UseCors(TesseraCorsOptions.PolicyName);
        // Real-time endpoints upgrade after authentication and authorization, as any endpoint answers.
        if (app.ApplicationServices.GetRequiredService<TesseraFeatures>().Has(TesseraFeatures.RealTime))
            app.UseWebSockets();
        app.UseAuthenticationAndAuthorization();
        return app;
    }

    /// <summary>
    /// The endpoints of the API contract for the credential kinds the app added: the account's own
    /// (profile, revoke-all) always; JWTs with registration, password change and logout, which
    /// answer with a pair; sessions; DRF tokens; API keys; password reset and email verification; the
    /// revocation stream for resource services (<see cref="RevocationStreamEndpoints"/>). Every answer of the group is
    /// <c>Cache-Control: no-store</c>: each one carries a credential or an account's data; and each
    /// answers only its path as listed (<see cref="ExactPathEndpointConventionBuilderExtensions.WithExactPaths{TBuilder}"/>). Each
    /// feature's <c>Map…Endpoints</c> is public too, for an app that places them itself.
    /// </summary>
    public static RouteGroupBuilder MapTesseraAuth(this IEndpointRouteBuilder routes)
    {
        var features = routes.ServiceProvider.GetRequiredService<TesseraFeatures>();
        var group = routes.MapGroup("").WithNoStore().WithExactPaths();
        group.MapAccountEndpoints();
        if (features.Has(TesseraSchemes.Jwt))
        {
            group.MapJwtTokenEndpoints();
            group.MapJwtAccountEndpoints();
        }
        if (features.Has(TesseraSchemes.Session))
            group.MapSessionEndpoints();
        if (features.Has(TesseraSchemes.Token))
            group.MapOpaqueTokenEndpoints();
        if (features.Has(TesseraSchemes.ApiKey))
            group.MapApiKeyEndpoints();
        if (features.Has(TesseraFeatures.AccountRecovery))
            group.MapAccountRecoveryEndpoints();
        if (features.Has(TesseraFeatures.RealTime))
            RealTime.Tickets.RealTimeTicketRegistration.MapRealTimeTicketEndpoint(group);
        if (features.Has(TesseraFeatures.ExternalLogin))
            ExternalLogin.ExternalLoginEndpoints.MapExternalLoginEndpoints(group);
        // The logins' list needs their records: a store of them (AddEntityFrameworkStores registers one).
        if (routes.ServiceProvider.GetService<IServiceProviderIsService>()?.IsService(typeof(Core.Logins.ILoginRecordStore)) == true)
            Logins.LoginEndpoints.MapLoginEndpoints(group);
        group.MapRevocationStream();
        Audit.AuditEndpoints.MapAuditEndpoints(group);
        return group;
    }
}
