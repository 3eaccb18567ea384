using Microsoft.AspNetCore.Authentication;

namespace Tessera.AspNetCore.OpaqueTokens;

/// <summary>DRF's TokenAuthentication settings (section <c>Tessera:OpaqueTokens</c>).</summary>
public sealed class OpaqueTokenAuthenticationOptions : AuthenticationSchemeOptions
{
    public const string SectionName = "Tessera:OpaqueTokens";

    /// <summary>The <c>Authorization</c> header's keyword.</summary>
    public string Keyword { get; set; } = "Token";

    /// <summary>How long a token lives; null (DRF's behaviour) until its owner revokes it.</summary>
    public TimeSpan? Lifetime { get; set; }
}
