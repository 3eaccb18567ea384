using Tessera.Core.Credentials;
using Tessera.Core.Logins;
using Tessera.Core.Users;

namespace Tessera.Core.OpaqueTokens;

/// <summary>
/// DRF's <c>Token.objects.create</c>, one per login: a 40-hex key drawn from the CSPRNG, shown once,
/// stored as its SHA-256 with the revocation epoch the login's password check read.
/// </summary>
internal sealed class OpaqueTokenIssuer(IOpaqueTokenStore tokens, CredentialSeal seal, TimeProvider time, LoginRecords? logins = null)
{
    /// <returns>The key and its row, or null when a password change, revoke-all or deactivation committed after the check.</returns>
    public async Task<(string Key, OpaqueToken Token)?> IssueAsync(User user, TimeSpan? lifetime, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var key = OpaqueTokenKeys.New(seal);
        var token = new OpaqueToken
        {
            KeyHash = OpaqueSecret.Hash(key),
            Prefix = key[..OpaqueToken.PrefixLength],
            UserId = user.Id,
            CreatedAt = now.ToUnixTimeSeconds(),
            ExpiresAt = lifetime is { } l ? (now + l).ToUnixTimeSeconds() : null,
            Epoch = user.RevocationEpoch,
        };
        if (!await tokens.AddAsync(token, cancellationToken).ConfigureAwait(false))
            return null;
        if (logins is not null)
            await logins.RecordAsync(user.Id, LoginKinds.Token, token.Login(), ExpiryOf(token.ExpiresAt), token.Epoch, token.Prefix, cancellationToken).ConfigureAwait(false);
        return (key, token);
    }

    private static DateTimeOffset? ExpiryOf(long? unixSeconds) => unixSeconds is { } s ? DateTimeOffset.FromUnixTimeSeconds(s) : null;
}
