namespace Tessera.Core.SigningKeys;

/// <summary>
/// With an asymmetric algorithm and <c>Tessera:Jwt:Issuer</c> unset, the issuer is the server's
/// public base URL as the current request names it (scheme://host/pathbase, as IdentityServer infers
/// it): what the discovery document says, and the <c>iss</c> of the tokens that request issues.
/// </summary>
public interface IInferredIssuer
{
    /// <summary>The current request's issuer; null outside a request, or when none is inferred.</summary>
    string? Issuer { get; }
}
