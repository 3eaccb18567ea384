using Microsoft.AspNetCore.Http;
using Tessera.Core.Jwt;
using Tessera.Core.SigningKeys;

namespace Tessera.AspNetCore.SigningKeys;

/// <summary>
/// The issuer a request implies (scheme://host/pathbase, as IdentityServer infers it), used while
/// <c>Tessera:Jwt:Issuer</c> is unset with an asymmetric algorithm: behind a proxy, the forwarded
/// headers middleware makes it the public URL. Under HS256 none is inferred (tokens stay as SimpleJWT's).
/// </summary>
internal sealed class InferredIssuer(JwtOptions jwt, IHttpContextAccessor accessor) : IInferredIssuer
{
    public string? Issuer
        => jwt.Issuer is null && JwsSigningKey.IsAsymmetric(jwt.Algorithm) && accessor.HttpContext is { } context ? BaseUrl(context.Request) : null;

    /// <summary>The configured issuer, or the one the request implies.</summary>
    public static string IssuerOf(HttpRequest request, JwtOptions jwt) => jwt.Issuer ?? BaseUrl(request);

    /// <summary>scheme://host/pathbase, without a trailing slash.</summary>
    public static string BaseUrl(HttpRequest request) => $"{request.Scheme}://{request.Host.ToUriComponent()}{request.PathBase.ToUriComponent()}";
}
