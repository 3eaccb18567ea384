using Tessera.Core.Credentials;
using Tessera.Core.Users;

namespace Tessera.Core.OpaqueTokens;

/// <summary>
/// DRF's <c>Token.objects.create</c>, one per login: a 40-hex key drawn from the CSPRNG, shown once,
/// stored as its SHA-256 with the revocation epoch the login's password check read.
/// </summary>
internal sealed class OpaqueTokenIssuer(IOpaqueTokenStore tokens, CredentialSeal seal, TimeProvider time)
{
    /// <returns>The key, or null when a password change, revoke-all or deactivation committed after the check.</returns>
    public async Task<string?> IssueAsync(User user, TimeSpan? lifetime, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var key = OpaqueTokenKeys.New(seal);
        var added = await tokens.AddAsync(new OpaqueToken
        {
            KeyHash = OpaqueSecret.Hash(key),
            Prefix = key[..OpaqueToken.PrefixLength],
            UserId = user.Id,
            CreatedAt = now.ToUnixTimeSeconds(),
            ExpiresAt = lifetime is { } l ? (now + l).ToUnixTimeSeconds() : null,
            Epoch = user.RevocationEpoch,
        }, cancellationToken).ConfigureAwait(false);
        return added ? key : null;
    }
}
