using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Tessera.AspNetCore.Authentication;

namespace Tessera.AspNetCore.RealTime;

/// <summary>
/// Does the endpoint's policy (combined from its <see cref="IAuthorizeData"/> and policies, as the
/// authorization middleware combines it) still admit the user of an open connection, as memory now
/// knows them? Asked only after a change of that user, in a scope of its own (handlers may be scoped).
/// </summary>
internal sealed class LiveConnectionAuthorization(IAuthorizationPolicyProvider policies, IServiceScopeFactory scopes)
{
    private readonly ConditionalWeakTable<Endpoint, StrongBox<AuthorizationPolicy?>> _combined = new();

    public async Task<bool> AllowsAsync(Endpoint? endpoint, AuthenticatedUser user)
    {
        if (endpoint is null || await PolicyOfAsync(endpoint).ConfigureAwait(false) is not { } policy)
            return true;
        await using var scope = scopes.CreateAsyncScope();
        var authorization = scope.ServiceProvider.GetRequiredService<IAuthorizationService>();
        // No resource: the request's HttpContext belongs to the connection's own thread of work.
        var result = await authorization.AuthorizeAsync(user.ToClaimsPrincipal(user.Proof.Scheme), null, policy).ConfigureAwait(false);
        return result.Succeeded;
    }

    private async ValueTask<AuthorizationPolicy?> PolicyOfAsync(Endpoint endpoint)
    {
        if (_combined.TryGetValue(endpoint, out var cached))
            return cached.Value;
        var policy = await AuthorizationPolicy.CombineAsync(policies, endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>(),
            endpoint.Metadata.GetOrderedMetadata<AuthorizationPolicy>()).ConfigureAwait(false);
        _combined.AddOrUpdate(endpoint, new StrongBox<AuthorizationPolicy?>(policy));
        return policy;
    }
}
