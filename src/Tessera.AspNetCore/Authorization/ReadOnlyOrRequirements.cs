using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;

namespace Tessera.AspNetCore.Authorization;

/// <summary>A resource with an owner, for <see cref="TesseraPolicies.IsOwnerOrReadOnly"/>.</summary>
public interface IOwnedResource
{
    /// <summary>The id of the user who owns it.</summary>
    long OwnerId { get; }
}

/// <summary>Reads (RFC 9110's safe methods) are allowed to all; anything else to an authenticated user.</summary>
public sealed class AuthenticatedOrReadOnlyRequirement : IAuthorizationRequirement;

/// <summary>Reads are allowed to all; anything else only to the resource's owner.</summary>
public sealed class OwnerOrReadOnlyRequirement : IAuthorizationRequirement;

/// <summary>
/// DRF's IsAuthenticatedOrReadOnly and IsOwnerOrReadOnly. The request's method comes from the
/// current request (an endpoint's policy: the resource is the <see cref="HttpContext"/>; a resource
/// check: through <see cref="IHttpContextAccessor"/>).
/// </summary>
internal sealed class ReadOnlyOrHandler(IHttpContextAccessor http) : IAuthorizationHandler
{
    public Task HandleAsync(AuthorizationHandlerContext context)
    {
        var request = (context.Resource as HttpContext ?? http.HttpContext)?.Request;
        var isRead = request is not null && IsSafe(request.Method);
        foreach (var requirement in context.PendingRequirements.ToList())
        {
            var allowed = requirement switch
            {
                AuthenticatedOrReadOnlyRequirement => isRead || context.User.Identity?.IsAuthenticated == true,
                OwnerOrReadOnlyRequirement => isRead || (context.Resource is IOwnedResource owned && IsOwner(context.User, owned)),
                _ => (bool?)null,
            };
            if (allowed == true)
                context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }

    private static bool IsOwner(ClaimsPrincipal user, IOwnedResource resource)
        => user.Identity?.IsAuthenticated == true
           && long.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
           && id == resource.OwnerId;

    private static bool IsSafe(string method) => HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method);
}
