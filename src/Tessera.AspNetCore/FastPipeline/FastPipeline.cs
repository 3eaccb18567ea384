using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Tessera.AspNetCore.FastPipeline;

/// <summary>
/// The fence around what Tessera re-implements of ASP.NET Core, and the only place that does.
/// <para>
/// What it replaces: <c>UseAuthentication()</c> (<see cref="TesseraAuthenticationMiddleware"/>),
/// <c>UseAuthorization()</c> (<see cref="TesseraAuthorizationMiddleware"/>, which sets the framework's
/// private builder keys <c>"__AuthenticationMiddlewareSet"</c>/<c>"__AuthorizationMiddlewareSet"</c> and
/// the request item <c>"__AuthorizationMiddlewareWithEndpointInvoked"</c> as the stock ones do),
/// <see cref="PolicyEvaluator"/> for a policy that only asks for an authenticated user
/// (<see cref="TesseraPolicyEvaluator"/>), and the authentication service's dispatch of the chain's
/// challenges and denials to a handler built per request (<see cref="SchemeChainRefusals"/>).
/// </para>
/// <para>
/// Why: per request, the stock pipeline builds a handler for the chain and one per scheme it asks,
/// each from the request's services, a policy evaluator with the authorization service under it, and
/// takes a process-wide lock for a compatibility switch; on two cores under load that was most of
/// what separated Tessera from a bare JWT app (bench/README.md). Each replacement answers only where
/// it provably answers as the stock code would (the services it bypasses are the stock ones:
/// <see cref="StockRegistrations"/>), and takes the stock path otherwise.
/// </para>
/// <para>
/// The parity test (tests/…/Library/PipelineParityTests.cs) runs the same requests through an app on
/// this pipeline and the same app on the stock one (<see cref="StockPipeline"/>) and compares the answers.
/// </para>
/// </summary>
internal static class FastPipelineExtensions
{
    // The keys UseAuthentication() and UseAuthorization() set in the builder's properties (not public
    // constants of ASP.NET Core's): set, WebApplication does not add the stock middlewares as well.
    private const string AuthenticationMiddlewareSetKey = "__AuthenticationMiddlewareSet";
    private const string AuthorizationMiddlewareSetKey = "__AuthorizationMiddlewareSet";

    /// <summary>Authentication then authorization: Tessera's, or the stock ones when the app registered <see cref="StockPipeline"/>.</summary>
    public static void UseAuthenticationAndAuthorization(this IApplicationBuilder app)
    {
        if (app.ApplicationServices.GetService<StockPipeline>() is not null)
        {
            app.UseAuthentication();
            app.UseAuthorization();
            return;
        }
        app.UseMiddleware<TesseraAuthenticationMiddleware>();
        app.Properties[AuthenticationMiddlewareSetKey] = true;
        app.UseMiddleware<TesseraAuthorizationMiddleware>();
        app.Properties[AuthorizationMiddlewareSetKey] = true;
    }
}

/// <summary>
/// Registered (<see cref="Use"/>), the app runs ASP.NET Core's own pipeline in the place of the fast
/// one: <c>UseAuthentication()</c>, <c>UseAuthorization()</c>, the stock <see cref="PolicyEvaluator"/>,
/// and every challenge and denial through the authentication service and the scheme's handler. For
/// the parity test; not a setting.
/// </summary>
internal sealed class StockPipeline
{
    public static void Use(IServiceCollection services)
    {
        services.TryAddSingleton<StockPipeline>();
        services.Replace(ServiceDescriptor.Transient<IPolicyEvaluator, PolicyEvaluator>());
    }

    public static bool IsUsed(IServiceCollection services) => services.Any(d => d.ServiceType == typeof(StockPipeline));
}
