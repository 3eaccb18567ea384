using Microsoft.AspNetCore.Http;
using Tessera.AspNetCore.Authentication;
using Tessera.Core.Throttling;

namespace Tessera.AspNetCore.Throttling;

/// <summary>Endpoint metadata: the throttle scopes of an endpoint (DRF's <c>throttle_classes</c> / <c>throttle_scope</c>).</summary>
internal sealed class ThrottleMetadata(IReadOnlyList<string> scopes)
{
    public IReadOnlyList<string> Scopes { get; } = scopes;
}

/// <summary>
/// DRF's <c>check_throttles</c>, counted in the one <see cref="IRateLimitStore"/>: every scope is
/// asked (each takes from its own allowance), and if any refuses the answer is 429 with the longest
/// wait. Runs after authentication and authorization, as DRF throttles after permissions.
/// <list type="bullet">
/// <item><c>anon</c> (<c>AnonRateThrottle</c>): only unauthenticated requests, keyed by client address.</item>
/// <item>every other scope, <c>user</c> included (<c>UserRateThrottle</c>, <c>ScopedRateThrottle</c>):
/// keyed by user id, or by client address when unauthenticated.</item>
/// </list>
/// Keys are DRF's: <c>throttle_{scope}_{ident}</c>. The address is <c>Connection.RemoteIpAddress</c>
/// (behind a proxy, run the forwarded-headers middleware first).
/// </summary>
internal sealed class ThrottlingEndpointFilter : IEndpointFilter
{
    private readonly (string Scope, RateLimit Limit)[] _scopes;
    private readonly IRateLimitStore _store;
    private readonly Metrics.TesseraMetrics? _metrics;

    /// <param name="metrics">Where a refusal is counted; null outside <c>AddTessera</c> (throttling alone).</param>
    public ThrottlingEndpointFilter(IEnumerable<string> scopes, ThrottleRates rates, IRateLimitStore store, Metrics.TesseraMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        ArgumentNullException.ThrowIfNull(rates);
        ArgumentNullException.ThrowIfNull(store);
        _scopes = scopes.Distinct(StringComparer.OrdinalIgnoreCase)
            .Select(scope => (scope, rates.Get(scope)))
            .Where(s => s.Item2 is not null)
            .Select(s => (s.scope, s.Item2!))
            .ToArray();
        _store = store;
        _metrics = metrics;
    }

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var wait = await CheckAsync(context.HttpContext).ConfigureAwait(false);
        return wait is { } w ? ThrottleResults.Throttled(w) : await next(context).ConfigureAwait(false);
    }

    /// <summary>Takes one request from each applicable scope; returns the longest wait if any refused, else null.</summary>
    public async ValueTask<TimeSpan?> CheckAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var user = httpContext.Features.Get<AuthenticatedUser>();
        TimeSpan? wait = null;
        foreach (var (scope, limit) in _scopes)
        {
            string ident;
            if (user is not null)
            {
                if (string.Equals(scope, ThrottlingOptions.AnonScope, StringComparison.OrdinalIgnoreCase))
                    continue; // AnonRateThrottle: authenticated requests are not its business
                ident = user.User.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            else
            {
                ident = ClientAddress(httpContext);
            }
            var decision = await _store.AcquireAsync($"throttle_{scope}_{ident}", limit, httpContext.RequestAborted).ConfigureAwait(false);
            if (decision.Allowed)
                continue;
            _metrics?.Throttled(scope);
            if (wait is null || decision.RetryAfter > wait)
                wait = decision.RetryAfter;
        }
        return wait;
    }

    private static string ClientAddress(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        if (address is null)
            return "unknown";
        return (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
    }
}
