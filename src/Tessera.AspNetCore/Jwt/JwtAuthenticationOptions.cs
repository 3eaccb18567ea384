using Microsoft.AspNetCore.Authentication;

namespace Tessera.AspNetCore.Jwt;

public sealed class JwtAuthenticationOptions : AuthenticationSchemeOptions
{
    /// <summary>The <c>Authorization</c> header's type word (SimpleJWT's AUTH_HEADER_TYPES).</summary>
    public string HeaderType { get; set; } = "Bearer";

    /// <summary>When set, an access token is also read from this cookie (browser apps); off by default.</summary>
    public string? AccessTokenCookieName { get; set; }
}
