using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Tessera.AspNetCore.RealTime.Tickets;

/// <summary>The tickets of <c>POST /api/ws-ticket/</c>: their services, scheme and endpoint.</summary>
internal static class RealTimeTicketRegistration
{
    public static void AddRealTimeTickets(IServiceCollection services)
    {
        // issue 23: the tickets helper builds this
    }

    public static void MapRealTimeTicketEndpoint(IEndpointRouteBuilder routes)
    {
        // issue 23: the tickets helper builds this
    }
}
