using Tessera.AspNetCore.Authentication;

namespace Tessera.AspNetCore.ApiKeys;

/// <summary>API key settings (section <c>Tessera:ApiKeys</c>).</summary>
public sealed class ApiKeyAuthenticationOptions : CredentialSchemeOptions
{
    public const string SectionName = "Tessera:ApiKeys";

    /// <summary>Its challenge: <c>ApiKey realm="api"</c>.</summary>
    public override string? ChallengeKeyword => "ApiKey";

    public string HeaderName { get; set; } = "X-API-Key";

    /// <summary>The default life of a new key when its creator names none; null: until revoked.</summary>
    public TimeSpan? DefaultLifetime { get; set; }
}
