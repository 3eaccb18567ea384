using Microsoft.AspNetCore.Builder;

namespace Tessera.AspNetCore.Routing;

/// <summary>Django's exact paths for a group of endpoints: <c>routes.MapGroup("").WithExactPaths()</c>.</summary>
public static class ExactPathEndpointConventionBuilderExtensions
{
    /// <summary>
    /// The endpoints answer only their path as written: the same case in every literal segment, and
    /// a trailing slash exactly where the route has one. Any other spelling is a 404, as in Django
    /// (where ASP.NET Core would match <c>/API/HELLO</c> to <c>/api/hello/</c>).
    /// <see cref="TesseraApplicationBuilderExtensions.MapTesseraAuth"/> applies it to Tessera's endpoints.
    /// </summary>
    public static TBuilder WithExactPaths<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
        => builder.WithMetadata(ExactPathMetadata.Instance);
}
