using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Tessera.AspNetCore.Authentication;

namespace Tessera.AspNetCore.RealTime.SignalR;

/// <summary>
/// The Tessera user of the request that opened a hub connection, as the hub sees it through
/// <c>GetHttpContext()</c>. On WebSockets and Server-Sent Events that is the request itself. Long
/// polling hands the hub a copy made from the first poll, with the request's headers, principal and
/// <see cref="HttpContext.Items"/> only (no features, no services): the user, with its login, is
/// carried in the items, or the claims alone would name the user but not the login to follow.
/// </summary>
internal static class HubRequestUser
{
    private static readonly object Key = new();

    /// <summary>Stores each request's user in its items before SignalR's dispatcher sees it.</summary>
    public static void Carry(EndpointBuilder endpoint)
    {
        var next = endpoint.RequestDelegate ?? throw new InvalidOperationException("A hub endpoint has a request delegate.");
        endpoint.RequestDelegate = context =>
        {
            if (context.TryGetTesseraUser() is { } user)
                context.Items[Key] = user;
            return next(context);
        };
    }

    public static AuthenticatedUser? Of(HttpContext context)
        => context.Features.Get<AuthenticatedUser>() ?? (context.Items.TryGetValue(Key, out var user) ? user as AuthenticatedUser : null);
}
