using Tessera.AspNetCore.Authentication;

namespace Tessera.AspNetCore.Jwt;

public sealed class JwtAuthenticationOptions : CredentialSchemeOptions
{
    /// <summary>
    /// The <c>Authorization</c> header's type word (SimpleJWT's AUTH_HEADER_TYPES), which is also its
    /// challenge's: <c>Bearer realm="api"</c>, as SimpleJWT's <c>authenticate_header</c> answers.
    /// </summary>
    public string HeaderType { get; set; } = "Bearer";

    public override string? ChallengeKeyword => HeaderType;

    /// <summary>When set, an access token is also read from this cookie (browser apps); off by default.</summary>
    public string? AccessTokenCookieName { get; set; }
}
