using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Tessera.AspNetCore.Cors;
using Tessera.AspNetCore.Endpoints;
using Tessera.AspNetCore.Http;

namespace Tessera.AspNetCore;

public static class TesseraApplicationBuilderExtensions
{
    /// <summary>DRF-shaped errors for everything after it, then CORS, authentication and authorization.</summary>
    public static IApplicationBuilder UseTessera(this IApplicationBuilder app)
    {
        app.UseMiddleware<ErrorHandlingMiddleware>();
        app.UseCors(TesseraCorsOptions.PolicyName);
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    /// <summary>The authentication endpoints of the API contract: JWTs, registration, profile, sessions, DRF tokens, API keys.</summary>
    public static IEndpointRouteBuilder MapTesseraAuth(this IEndpointRouteBuilder routes)
    {
        routes.MapJwtTokenEndpoints();
        routes.MapAccountEndpoints();
        routes.MapSessionEndpoints();
        routes.MapOpaqueTokenEndpoints();
        routes.MapApiKeyEndpoints();
        return routes;
    }
}
