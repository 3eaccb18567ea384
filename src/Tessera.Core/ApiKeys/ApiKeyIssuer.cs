using Tessera.Core.Credentials;
using Tessera.Core.Logins;

namespace Tessera.Core.ApiKeys;

/// <summary>
/// A new API key for a service: <c>tk_&lt;prefix&gt;_&lt;secret&gt;</c> from the CSPRNG, shown once,
/// stored as its SHA-256. Keys outlive password changes, so a login that one has just ended (the
/// creator's revocation epoch has moved on) cannot mint one.
/// </summary>
internal sealed class ApiKeyIssuer(IApiKeyStore keys, CredentialSeal seal, TimeProvider time, LoginRecords? logins = null)
{
    /// <returns>The key and its record, or null when the creating login was ended meanwhile.</returns>
    public async Task<(string Key, ApiKey Record)?> IssueAsync(long userId, long? creatorEpoch, string name, TimeSpan? lifetime, IReadOnlyCollection<string>? scopes = null, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var (key, prefix) = ApiKeyFormat.New(seal);
        var record = new ApiKey
        {
            Prefix = prefix,
            KeyHash = OpaqueSecret.Hash(key),
            UserId = userId,
            Name = name,
            CreatedAt = now.ToUnixTimeSeconds(),
            ExpiresAt = lifetime is { } l ? (now + l).ToUnixTimeSeconds() : null,
            Scopes = scopes is null ? "" : string.Join(' ', scopes),
        };
        if (!await keys.AddAsync(record, creatorEpoch, cancellationToken).ConfigureAwait(false))
            return null;
        if (logins is not null)
            await logins.RecordAsync(userId, LoginKinds.ApiKey, record.Login(), record.ExpiresAt is { } e ? DateTimeOffset.FromUnixTimeSeconds(e) : null,
                epoch: null, record.Prefix, cancellationToken).ConfigureAwait(false);
        return (key, record);
    }
}
