namespace Tessera.AspNetCore.ExternalLogin;

/// <summary>
/// Sign-in with external OpenID Connect providers (section <c>Tessera:ExternalLogin</c>): one entry
/// per provider, its name the key (<c>Tessera:ExternalLogin:Providers:google:ClientIds:0</c>). The
/// names <c>google</c>, <c>apple</c> and <c>microsoft</c> come with their provider's settings
/// (see <see cref="ExternalProviderOptions.Preset"/>); any other provider needs an <c>Authority</c>.
/// </summary>
public sealed class ExternalLoginOptions
{
    public const string SectionName = "Tessera:ExternalLogin";

    /// <summary>The providers, by name (case-insensitive; the name the API's URLs and the linked identities use).</summary>
    public Dictionary<string, ExternalProviderOptions> Providers { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Every problem of every provider, each naming its setting.</summary>
    public IEnumerable<string> Validate()
    {
        foreach (var (name, provider) in Providers)
        {
            if (provider is null)
            {
                yield return $"{SectionName}:Providers:{name}: the provider has no settings.";
                continue;
            }

            foreach (var problem in provider.Validate(name))
                yield return problem;
        }
    }
}
