using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Tessera.AspNetCore.Routing;

/// <summary>
/// Matches the endpoints marked by <see cref="ExactPathEndpointConventionBuilderExtensions.WithExactPaths{TBuilder}"/>
/// as Django's URL resolver does: literal segments with their exact case, and the trailing slash
/// exactly as the route has it (or has not). ASP.NET Core's routing ignores both, so
/// <c>/API/TOKEN</c> would be <c>/api/token/</c>: a proxy rule written for the listed path (a rate
/// limit, a deny) would be walked around by another spelling. Such a request finds no endpoint: 404.
/// </summary>
internal sealed class ExactPathMatcherPolicy : MatcherPolicy, IEndpointSelectorPolicy
{
    // After the HTTP-method policy and the other built-in ones, which narrow by other things.
    public override int Order => 1000;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints)
    {
        foreach (var endpoint in endpoints)
            if (endpoint.Metadata.GetMetadata<ExactPathMetadata>() is not null)
                return true;
        return false;
    }

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        var path = httpContext.Request.Path.Value ?? "/";
        for (var i = 0; i < candidates.Count; i++)
        {
            if (!candidates.IsValidCandidate(i)
                || candidates[i].Endpoint is not RouteEndpoint endpoint
                || endpoint.Metadata.GetMetadata<ExactPathMetadata>() is null)
                continue;
            if (!Matches(endpoint.RoutePattern, path))
                candidates.SetValidity(i, false);
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// Whether <paramref name="path"/>, which routing matched to <paramref name="pattern"/> already
    /// (ignoring case and a trailing slash), also spells its literal segments and its trailing slash
    /// exactly. Parameters match what routing gave them.
    /// </summary>
    internal static bool Matches(RoutePattern pattern, string path)
    {
        var routeEndsWithSlash = pattern.RawText is { Length: > 1 } raw && raw[^1] == '/';
        var pathEndsWithSlash = path.Length > 1 && path[^1] == '/';
        if (routeEndsWithSlash != pathEndsWithSlash)
            return false;

        var rest = path.AsSpan().Trim('/');
        foreach (var segment in pattern.PathSegments)
        {
            var end = rest.IndexOf('/');
            var text = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 1)..];
            if (segment.Parts is [RoutePatternLiteralPart literal])
            {
                if (!text.SequenceEqual(literal.Content))
                    return false;
            }
            else if (segment.Parts is [RoutePatternParameterPart { IsCatchAll: true }])
            {
                return true; // the rest of the path is the parameter's
            }
        }
        return true;
    }
}

/// <summary>Marks an endpoint whose path must be spelled exactly (<see cref="ExactPathMatcherPolicy"/>).</summary>
internal sealed class ExactPathMetadata
{
    public static readonly ExactPathMetadata Instance = new();

    private ExactPathMetadata()
    {
    }
}
