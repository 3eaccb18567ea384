using Tessera.Core.Credentials;
using Tessera.Core.Revocation;

namespace Tessera.Core.ApiKeys;

public interface IApiKeyStore : IExpiringRecords, IStoredCredentialStore<ApiKey>
{
    /// <summary>
    /// Adds the key. With <paramref name="creatorEpoch"/> (the revocation epoch of the login that asks
    /// for it) only while the user's epoch is still that: a login that a password change, revoke-all or
    /// deactivation has just ended cannot mint a key that would outlive the change. False then.
    /// </summary>
    Task<bool> AddAsync(ApiKey key, long? creatorEpoch, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ApiKey>> ListAsync(long userId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes the user's key with this prefix and revokes its login, one transaction; the committed
    /// event, to publish, or null when the user has none such.
    /// </summary>
    Task<AdmissionChange?> DeleteAsync(long userId, string prefix, DateTimeOffset now, CancellationToken cancellationToken = default);
}
