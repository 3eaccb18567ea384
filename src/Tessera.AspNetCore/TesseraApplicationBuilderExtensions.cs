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

    /// <summary>
    /// The authentication endpoints of the API contract: JWTs, registration, profile, sessions, DRF
    /// tokens, API keys. Every answer of the group is <c>Cache-Control: no-store</c>: each one carries
    /// a credential or an account's data.
    /// </summary>
    public static RouteGroupBuilder MapTesseraAuth(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("").WithNoStore();
        group.MapJwtTokenEndpoints();
        group.MapAccountEndpoints();
        group.MapSessionEndpoints();
        group.MapOpaqueTokenEndpoints();
        group.MapApiKeyEndpoints();
        return group;
    }
}
