using System.Text.Json;

namespace Tessera.Core.ExternalLogin;

/// <summary>What a verified ID token says about its account: signature, issuer, audience, times and nonce checked.</summary>
/// <param name="Issuer">The <c>iss</c>, in the provider's canonical spelling: with <see cref="Subject"/>, the account's key.</param>
/// <param name="Subject">The <c>sub</c>.</param>
/// <param name="Email">The <c>email</c> claim, if any (not necessarily the account owner's: see <paramref name="EmailVerified"/>).</param>
/// <param name="EmailVerified">Whether the provider says it verified <paramref name="Email"/> (<c>true</c> or <c>"true"</c>).</param>
/// <param name="GivenName">The <c>given_name</c> claim, if any.</param>
/// <param name="FamilyName">The <c>family_name</c> claim, if any.</param>
/// <param name="ExpiresAt">The <c>exp</c>.</param>
/// <param name="TokenDigest">The SHA-256 of the token's signed payload (unpadded base64url): its name in the used-token store.</param>
/// <param name="Claims">Every claim of the payload, for the app's own rules.</param>
public sealed record ExternalIdentityClaims(
    string Issuer,
    string Subject,
    string? Email,
    bool EmailVerified,
    string? GivenName,
    string? FamilyName,
    DateTimeOffset ExpiresAt,
    string TokenDigest,
    JsonElement Claims);
