using Tessera.Core.Revocation;

namespace Tessera.Core.ApiKeys;

public interface IApiKeyStore : IExpiringRecords
{
    Task AddAsync(ApiKey key, CancellationToken cancellationToken = default);

    /// <summary>The unexpired key with this hash, or null.</summary>
    Task<ApiKey?> FindAsync(string keyHash, DateTimeOffset now, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ApiKey>> ListAsync(long userId, CancellationToken cancellationToken = default);

    /// <summary>Deletes the user's key with this prefix; false when the user has none such.</summary>
    Task<bool> DeleteAsync(long userId, string prefix, CancellationToken cancellationToken = default);
}
