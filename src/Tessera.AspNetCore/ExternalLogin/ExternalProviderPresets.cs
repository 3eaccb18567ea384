using Microsoft.Extensions.Options;

namespace Tessera.AspNetCore.ExternalLogin;

/// <summary>
/// What Google, Apple and Microsoft need beyond the standard, filled into the settings the app left
/// unset (after binding, before validation), and the defaults every provider gets.
/// </summary>
internal sealed class ExternalProviderPresets : IPostConfigureOptions<ExternalLoginOptions>
{
    /// <summary>Microsoft's multi-tenant issuer: a token's <c>tid</c> claim takes the place of <c>{tenantid}</c>.</summary>
    public const string TenantPlaceholder = "{tenantid}";

    public void PostConfigure(string? name, ExternalLoginOptions options)
    {
        foreach (var (providerName, provider) in options.Providers)
        {
            if (provider is null)
                continue;
            switch (provider.EffectivePreset(providerName))
            {
                case "google":
                    provider.Authority ??= "https://accounts.google.com";
                    // Google's ID tokens carry either spelling of its issuer.
                    if (!provider.Issuers.Contains("accounts.google.com", StringComparer.Ordinal))
                        provider.Issuers.Add("accounts.google.com");
                    break;
                case "apple":
                    provider.Authority ??= "https://appleid.apple.com";
                    // Apple's native sign-in puts SHA-256(nonce) in the token, not the nonce.
                    provider.HashedNonce ??= true;
                    break;
                case "microsoft":
                    provider.Authority ??= "https://login.microsoftonline.com/common/v2.0";
                    // Its email claim is unverified unless this optional claim says otherwise.
                    provider.EmailVerifiedClaim ??= "xms_edov";
                    break;
            }

            provider.HashedNonce ??= false;
            provider.EmailVerifiedClaim ??= "email_verified";
            if (provider.Algorithms.Count == 0)
                provider.Algorithms.AddRange(ExternalProviderOptions.DefaultAlgorithms);
        }
    }
}
