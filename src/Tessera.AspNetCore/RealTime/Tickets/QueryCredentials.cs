using Microsoft.AspNetCore.Http;
using Tessera.AspNetCore.Authentication;

namespace Tessera.AspNetCore.RealTime.Tickets;

/// <summary>
/// The credentials a request carried in its query string (<c>?ticket=</c>, <c>?access_token=</c>), as
/// sent: <see cref="QueryCredentialRedactingServer"/> takes them out of the query before anything
/// can log it and keeps them here, a request feature. Absent when the query carried none (read, it
/// holds none: an access token or a ticket of ours would have been taken) or when the server is not
/// the decorated one (TestServer): the query is read then.
/// </summary>
internal sealed class QueryCredentials(string? ticket, string? accessToken)
{
    public const string TicketParameter = "ticket";
    public const string AccessTokenParameter = "access_token";

    public string? Ticket { get; } = ticket;

    public string? AccessToken { get; } = accessToken;

    /// <summary>The ticket, on an endpoint that takes one (<see cref="RealTimeEndpointMetadata"/>); null elsewhere.</summary>
    public static string? TicketOf(HttpRequest request)
        => request.HttpContext.GetEndpoint()?.Metadata.GetMetadata<RealTimeEndpointMetadata>() is null ? null : Read(request, TicketParameter);

    /// <summary>
    /// The JWT of <c>?access_token=</c>, on an endpoint that takes one (<see cref="AccessTokenInQueryMetadata"/>)
    /// and a request with no <c>Authorization</c> header; null otherwise, so the parameter is ignored.
    /// </summary>
    public static string? AccessTokenOf(HttpRequest request)
        => request.Headers.ContainsKey("Authorization")
           || request.HttpContext.GetEndpoint()?.Metadata.GetMetadata<AccessTokenInQueryMetadata>() is null
            ? null
            : Read(request, AccessTokenParameter);

    private static string? Read(HttpRequest request, string name)
    {
        if (request.HttpContext.Features.Get<QueryCredentials>() is { } taken)
        {
            if (name == AccessTokenParameter)
                return NonEmpty(taken.AccessToken); // every access_token is taken out of the query
            if (taken.Ticket is { } ticket)
                return NonEmpty(ticket);
            // A ticket that is none of ours is left in the query (an app may have its own ?ticket=):
            // read there, it is refused as unknown, with no database read.
        }
        if (!request.QueryString.HasValue)
            return null;
        return NonEmpty(request.Query[name].ToString());
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
