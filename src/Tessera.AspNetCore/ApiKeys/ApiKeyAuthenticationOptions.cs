using Microsoft.AspNetCore.Authentication;

namespace Tessera.AspNetCore.ApiKeys;

/// <summary>API key settings (section <c>Tessera:ApiKeys</c>).</summary>
public sealed class ApiKeyAuthenticationOptions : AuthenticationSchemeOptions
{
    public const string SectionName = "Tessera:ApiKeys";

    public string HeaderName { get; set; } = "X-API-Key";

    /// <summary>The default life of a new key when its creator names none; null: until revoked.</summary>
    public TimeSpan? DefaultLifetime { get; set; }
}
