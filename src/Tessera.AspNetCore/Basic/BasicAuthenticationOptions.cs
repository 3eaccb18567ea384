using Tessera.AspNetCore.Authentication;

namespace Tessera.AspNetCore.Basic;

/// <summary>Section <c>Tessera:Basic</c>.</summary>
public sealed class BasicAuthenticationOptions : CredentialSchemeOptions
{
    public const string SectionName = "Tessera:Basic";

    /// <summary>DRF's BasicAuthentication challenge: <c>Basic realm="api"</c>.</summary>
    public override string? ChallengeKeyword => "Basic";

    /// <summary>
    /// How long a username/password that passed its check is remembered (as a keyed hash), so that
    /// later requests with it cost no password hash; zero checks every request, as DRF does (either
    /// way, requests with the pair that arrive while it is being checked share that check). A
    /// password change, revoke-all or deactivation ends it at once, whatever is left of it.
    /// </summary>
    public TimeSpan CredentialCacheLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The most pairs remembered at once (about 100 bytes each).</summary>
    public int CredentialCacheCapacity { get; set; } = Core.Basic.VerifiedPasswordCache.DefaultCapacity;

    public override IEnumerable<string> Problems()
    {
        foreach (var problem in base.Problems())
            yield return problem;
        if (CredentialCacheLifetime < TimeSpan.Zero || CredentialCacheLifetime > TimeSpan.FromHours(1))
            yield return $"{SectionName}:{nameof(CredentialCacheLifetime)} must be between 00:00:00 and 01:00:00; it is {CredentialCacheLifetime}.";
        if (CredentialCacheCapacity is < 1 or > 10_000_000)
            yield return $"{SectionName}:{nameof(CredentialCacheCapacity)} must be between 1 and 10000000; it is {CredentialCacheCapacity}.";
    }
}
