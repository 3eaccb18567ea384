using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Tessera.AspNetCore.Http;

/// <summary>
/// Responses that carry a credential (a token, a key, a session, the answer to a password) must not
/// be kept by any cache, shared or private: RFC 6749 §5.1, OWASP ASVS 5.0 14.3.2.
/// </summary>
public static class NoStoreEndpointConventionBuilderExtensions
{
    /// <summary><c>Cache-Control: no-store</c> and, for HTTP/1.0 caches, <c>Pragma: no-cache</c> on every answer of these endpoints.</summary>
    public static TBuilder WithNoStore<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
        => builder.AddEndpointFilter(static (context, next) =>
        {
            SetNoStore(context.HttpContext.Response);
            return next(context);
        });

    public static void SetNoStore(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
    }
}
