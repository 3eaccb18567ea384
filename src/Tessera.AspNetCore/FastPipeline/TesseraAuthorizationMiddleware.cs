using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Tessera.AspNetCore.Authentication;

namespace Tessera.AspNetCore.FastPipeline;

/// <summary>
/// ASP.NET Core's <c>UseAuthorization()</c>, step for step: the endpoint's policy (combined from its
/// <see cref="IAuthorizeData"/> and policies, once per endpoint when the policy provider allows
/// caching), authentication by the policy's schemes, <see cref="IAllowAnonymous"/>, then the
/// request's <see cref="IPolicyEvaluator"/> and <see cref="IAuthorizationMiddlewareResultHandler"/>.
/// The difference is what it reads once instead of per request: the stock middleware asks
/// <see cref="AppContext"/> for a compatibility switch on every request, and that lookup takes a
/// process-wide lock, which on two cores under load was a sixth of the pipeline's time. And where the
/// result handler is the stock one and the policy names no scheme, its challenge or denial — the
/// default scheme's, Tessera's chain — is answered by <see cref="SchemeChainRefusals"/>, without the
/// authentication service and the handlers it would build (the stock path where that would differ).
/// </summary>
internal sealed class TesseraAuthorizationMiddleware
{
    // Set for routing's endpoint middleware, which refuses an endpoint with authorization metadata
    // that no authorization middleware has seen (the stock middleware's key and value contract).
    private const string InvokedWithEndpointKey = "__AuthorizationMiddlewareWithEndpointInvoked";
    private static readonly object InvokedWithEndpoint = new();
    private const string SuppressHttpContextAsResourceSwitch = "Microsoft.AspNetCore.Authorization.SuppressUseHttpContextAsAuthorizationResource";

    private readonly RequestDelegate _next;
    private readonly IAuthorizationPolicyProvider _policyProvider;
    private readonly SchemeChainRefusals _refusals;
    private readonly bool _endpointIsResource;
    // Per endpoint, its combined policy; weakly held, so endpoints that routing replaces are let go.
    private readonly ConditionalWeakTable<Endpoint, StrongBox<AuthorizationPolicy?>>? _policies;

    public TesseraAuthorizationMiddleware(RequestDelegate next, IAuthorizationPolicyProvider policyProvider, SchemeChainRefusals refusals)
    {
        _next = next;
        _policyProvider = policyProvider;
        _refusals = refusals;
        _endpointIsResource = AppContext.TryGetSwitch(SuppressHttpContextAsResourceSwitch, out var suppress) && suppress;
        _policies = policyProvider.AllowsCachingPolicies ? new() : null;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint is not null)
            context.Items[InvokedWithEndpointKey] = InvokedWithEndpoint;

        var policy = await PolicyOfAsync(endpoint).ConfigureAwait(false);
        if (policy is null)
        {
            await _next(context).ConfigureAwait(false);
            return;
        }

        var evaluator = context.RequestServices.GetRequiredService<IPolicyEvaluator>();
        var authenticateResult = await evaluator.AuthenticateAsync(policy, context).ConfigureAwait(false);
        if (authenticateResult?.Succeeded ?? false)
        {
            if (context.Features.Get<IAuthenticateResultFeature>() is { } feature)
                feature.AuthenticateResult = authenticateResult;
            else
            {
                var features = new AuthenticationResultFeatures(authenticateResult);
                context.Features.Set<IHttpAuthenticationFeature>(features);
                context.Features.Set<IAuthenticateResultFeature>(features);
            }
        }

        // AllowAnonymous still authenticates (to set the user) but is never challenged or forbidden.
        if (endpoint?.Metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            await _next(context).ConfigureAwait(false);
            return;
        }

        object? resource = _endpointIsResource ? endpoint : context;
        var authorizeResult = await evaluator.AuthorizeAsync(policy, authenticateResult!, context, resource).ConfigureAwait(false);
        var resultHandler = context.RequestServices.GetRequiredService<IAuthorizationMiddlewareResultHandler>();
        // What the stock result handler does with a policy that names no scheme: ChallengeAsync() or ForbidAsync().
        if (policy.AuthenticationSchemes.Count == 0 && resultHandler.GetType() == typeof(AuthorizationMiddlewareResultHandler)
            && (authorizeResult.Challenged ? await _refusals.TryChallengeAsync(context).ConfigureAwait(false)
                : authorizeResult.Forbidden && await _refusals.TryForbidAsync(context).ConfigureAwait(false)))
            return;
        await resultHandler.HandleAsync(_next, context, policy, authorizeResult).ConfigureAwait(false);
    }

    private async ValueTask<AuthorizationPolicy?> PolicyOfAsync(Endpoint? endpoint)
    {
        if (endpoint is not null && _policies is not null && _policies.TryGetValue(endpoint, out var cached))
            return cached.Value;
        var authorizeData = endpoint?.Metadata.GetOrderedMetadata<IAuthorizeData>() ?? [];
        var policies = endpoint?.Metadata.GetOrderedMetadata<AuthorizationPolicy>() ?? [];
        var policy = await AuthorizationPolicy.CombineAsync(_policyProvider, authorizeData, policies).ConfigureAwait(false);
        if (endpoint is not null && _policies is not null)
            _policies.AddOrUpdate(endpoint, new StrongBox<AuthorizationPolicy?>(policy));
        return policy;
    }
}
