using Tessera.AspNetCore.Authentication;

namespace Tessera.AspNetCore.OpaqueTokens;

/// <summary>DRF's TokenAuthentication settings (section <c>Tessera:OpaqueTokens</c>).</summary>
public sealed class OpaqueTokenAuthenticationOptions : CredentialSchemeOptions
{
    public const string SectionName = "Tessera:OpaqueTokens";

    /// <summary>No realm: DRF's TokenAuthentication challenges with its keyword alone (<c>WWW-Authenticate: Token</c>).</summary>
    public OpaqueTokenAuthenticationOptions() => Realm = null;

    /// <summary>The <c>Authorization</c> header's keyword, and the challenge's.</summary>
    public string Keyword { get; set; } = "Token";

    public override string? ChallengeKeyword => Keyword;

    /// <summary>How long a token lives; null (DRF's behaviour) until its owner revokes it.</summary>
    public TimeSpan? Lifetime { get; set; }
}
