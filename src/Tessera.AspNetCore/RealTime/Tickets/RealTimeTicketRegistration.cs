using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Tessera.AspNetCore.Authentication;
using Tessera.AspNetCore.Hosting;
using Tessera.AspNetCore.Http;
using Tessera.AspNetCore.Throttling;
using Tessera.Core.Credentials;
using Tessera.Core.RealTime;

namespace Tessera.AspNetCore.RealTime.Tickets;

/// <summary>The tickets of <c>POST /api/ws-ticket/</c>: their services, scheme and endpoint.</summary>
internal static class RealTimeTicketRegistration
{
    public static void AddRealTimeTickets(TesseraBuilder builder)
    {
        builder.AddCredentialScheme<RealTimeTicketAuthenticationOptions, RealTimeTicketCredentialScheme>(TesseraSchemes.Ticket, section: null);
        builder.Services.AddScoped<RealTimeTicketIssuer>();
        RedactQueryCredentials(builder.Services);
    }

    public static void MapRealTimeTicketEndpoint(IEndpointRouteBuilder routes)
        => routes.MapPost("/api/ws-ticket/", IssueAsync).RequireAuthorization().RequireThrottling(ThrottlingOptions.WebSocketTicketScope);

    /// <summary>
    /// Any credential of the chain (a scoped API key is refused, as on every endpoint that accepts no
    /// scope): a ticket for that login, shown once. <c>Cache-Control: no-store</c> comes with the group.
    /// </summary>
    private static async Task<IResult> IssueAsync(HttpContext context, RealTimeTicketIssuer issuer)
    {
        var user = context.GetTesseraUser();
        var (key, expiresIn) = await issuer.IssueAsync(user.Proof, context.RequestAborted).ConfigureAwait(false);
        return ApiResults.Json(new { ticket = key, expires_in = (int)Math.Ceiling(expiresIn.TotalSeconds) }, StatusCodes.Status201Created);
    }

    /// <summary>
    /// Serves through <see cref="QueryCredentialRedactingServer"/>: the server registered so far
    /// (Kestrel, which <c>WebApplication.CreateBuilder</c> registers before the app's services). A
    /// server registered later (a test's TestServer) is served as is; the schemes then read the query.
    /// </summary>
    private static void RedactQueryCredentials(IServiceCollection services)
    {
        var index = -1;
        for (var i = services.Count - 1; i >= 0 && index < 0; i--)
            if (services[i].ServiceType == typeof(IServer) && !services[i].IsKeyedService)
                index = i;
        if (index < 0)
            return;
        var server = services[index];
        // TestServer is fetched by its type (GetTestServer casts IServer): left as it is, as when registered later.
        if (server.ImplementationType?.FullName == "Microsoft.AspNetCore.TestHost.TestServer")
            return;
        services[index] = ServiceDescriptor.Describe(typeof(IServer),
            sp => new QueryCredentialRedactingServer((IServer)server.CreateInstance(sp), sp.GetRequiredService<CredentialSeal>()), server.Lifetime);
    }
}
