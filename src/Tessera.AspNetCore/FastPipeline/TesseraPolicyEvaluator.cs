using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Tessera.AspNetCore.Authorization;
using static Tessera.AspNetCore.FastPipeline.StockRegistrations;

namespace Tessera.AspNetCore.FastPipeline;

/// <summary>
/// ASP.NET Core's <see cref="PolicyEvaluator"/> (which the authorization middleware builds for every
/// request, with the authorization service, its handler list and a handler context under it), with
/// one shortcut: a policy that only asks for an authenticated user — <c>RequireAuthorization()</c>,
/// <c>[Authorize]</c>, DRF's IsAuthenticated — is decided from the request's user directly, when it
/// provably decides the same: the authorization services are the stock ones and no registered
/// handler could have a say about that requirement. An app that adds such a handler, or replaces a
/// service, gets the stock evaluation for every policy; every other policy always gets it.
/// </summary>
internal sealed class TesseraPolicyEvaluator : IPolicyEvaluator
{
    private readonly bool _shortcutDecidesTheSame;

    /// <param name="services">The app's registrations, read once, when the evaluator is first needed (after the host is built).</param>
    public TesseraPolicyEvaluator(IServiceCollection services) => _shortcutDecidesTheSame = ShortcutDecidesTheSame(services);

    public Task<AuthenticateResult> AuthenticateAsync(AuthorizationPolicy policy, HttpContext context)
    {
        if (policy.AuthenticationSchemes.Count > 0)
            return Stock(context).AuthenticateAsync(policy, context);
        // What the stock evaluator does for a policy that names no scheme: the middleware's result.
        var result = context.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult
            ?? (context.User.Identity?.IsAuthenticated == true
                ? AuthenticateResult.Success(new AuthenticationTicket(context.User, "context.User"))
                : AuthenticateResult.NoResult());
        return Task.FromResult(result);
    }

    public Task<PolicyAuthorizationResult> AuthorizeAsync(AuthorizationPolicy policy, AuthenticateResult authenticationResult, HttpContext context, object? resource)
    {
        if (!_shortcutDecidesTheSame || !OnlyAsksForAnAuthenticatedUser(policy))
            return Stock(context).AuthorizeAsync(policy, authenticationResult, context, resource);
        // DenyAnonymousAuthorizationRequirement's own test, then the stock evaluator's answers.
        if (context.User.Identities.Any(i => i.IsAuthenticated))
            return Succeeded;
        return authenticationResult.Succeeded
            ? Task.FromResult(PolicyAuthorizationResult.Forbid(AuthorizationFailure.Failed(policy.Requirements)))
            : Challenged;
    }

    // Nothing in either can change: one each, not one per request.
    private static readonly Task<PolicyAuthorizationResult> Succeeded = Task.FromResult(PolicyAuthorizationResult.Success());
    private static readonly Task<PolicyAuthorizationResult> Challenged = Task.FromResult(PolicyAuthorizationResult.Challenge());

    private static PolicyEvaluator Stock(HttpContext context) => new(context.RequestServices.GetRequiredService<IAuthorizationService>());

    private static bool OnlyAsksForAnAuthenticatedUser(AuthorizationPolicy policy)
    {
        var requirements = policy.Requirements;
        if (requirements.Count == 0)
            return false;
        for (var i = 0; i < requirements.Count; i++)
            if (requirements[i].GetType() != typeof(DenyAnonymousAuthorizationRequirement))
                return false;
        return true;
    }

    private static bool ShortcutDecidesTheSame(IServiceCollection services)
    {
        if (!IsStock(services, typeof(IAuthorizationService), typeof(DefaultAuthorizationService))
            || !IsStock(services, typeof(IAuthorizationHandlerProvider), typeof(DefaultAuthorizationHandlerProvider))
            || !IsStock(services, typeof(IAuthorizationEvaluator), typeof(DefaultAuthorizationEvaluator))
            || !IsStock(services, typeof(IAuthorizationHandlerContextFactory), typeof(DefaultAuthorizationHandlerContextFactory)))
            return false;
        return services.Where(d => d.ServiceType == typeof(IAuthorizationHandler)).All(d => !d.IsKeyedService && CannotJudgeAnAuthenticatedUser(d.ImplementationType));
    }

    /// <summary>
    /// A handler that only ever looks at requirements of its own types: the pass-through handler
    /// (which lets the requirement judge itself: DenyAnonymousAuthorizationRequirement's own test),
    /// Tessera's read-only handler, and any <c>AuthorizationHandler&lt;TRequirement&gt;</c> of another
    /// requirement type. A handler registered by a factory or an instance is unknown, so it counts as judging.
    /// </summary>
    private static bool CannotJudgeAnAuthenticatedUser(Type? handler)
    {
        if (handler is null)
            return false;
        if (handler == typeof(PassThroughAuthorizationHandler) || handler == typeof(ReadOnlyOrHandler))
            return true;
        for (var type = handler; type is not null && type != typeof(object); type = type.BaseType)
        {
            if (type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(AuthorizationHandler<>) || type.GetGenericTypeDefinition() == typeof(AuthorizationHandler<,>)))
                return !type.GetGenericArguments()[0].IsAssignableFrom(typeof(DenyAnonymousAuthorizationRequirement));
        }
        return false;
    }
}
