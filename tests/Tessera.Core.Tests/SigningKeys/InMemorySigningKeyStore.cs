using Tessera.Core.Revocation;
using Tessera.Core.SigningKeys;

namespace Tessera.Core.Tests.SigningKeys;

/// <summary>The key ring in memory: the contract's second store, and the keeper's store in the schedule tests.</summary>
internal sealed class InMemorySigningKeyStore : ISigningKeyStore
{
    private readonly Lock _lock = new();
    private readonly List<StoredSigningKey> _rows = [];
    private long _eventId;

    public string Description => "expired signing keys";

    public int Reads { get; private set; }

    public Task<IReadOnlyList<StoredSigningKey>> ListAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            Reads++;
            return Task.FromResult<IReadOnlyList<StoredSigningKey>>([.. _rows.Select(Copy)]);
        }
    }

    public Task<bool> TryInsertAsync(StoredSigningKey key, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (_rows.Any(r => r.Generation == key.Generation || r.KeyId == key.KeyId))
                return Task.FromResult(false);
            _rows.Add(Copy(key));
            return Task.FromResult(true);
        }
    }

    public Task SetExpiresAtAsync(string keyId, long expiresAt, CancellationToken cancellationToken = default)
    {
        lock (_lock)
            if (_rows.FirstOrDefault(r => r.KeyId == keyId) is { ExpiresAt: null } row)
                row.ExpiresAt = expiresAt;
        return Task.CompletedTask;
    }

    public Task<AdmissionChange?> RetireAsync(SigningKeyRetirement retirement, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (_rows.FirstOrDefault(r => r.KeyId == retirement.KeyId) is not { RetiredAt: null } row)
                return Task.FromResult<AdmissionChange?>(null);
            row.RetiredAt = retirement.RetiredAt;
            row.ExpiresAt = retirement.ExpiresAt;
            if (_rows.FirstOrDefault(r => r.KeyId == retirement.PromotedKeyId) is { RetiredAt: null } next && next.SignsFrom > retirement.RetiredAt)
                next.SignsFrom = retirement.RetiredAt;
            return Task.FromResult<AdmissionChange?>(new AdmissionChange(++_eventId, AdmissionChangeKind.SigningKeyRetired, 0, row.KeyId, retirement.ExpiresAt));
        }
    }

    public Task<int> RemoveExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        lock (_lock)
            return Task.FromResult(_rows.RemoveAll(r => r.ExpiresAt <= now.ToUnixTimeSeconds()));
    }

    private static StoredSigningKey Copy(StoredSigningKey r) => new()
    {
        KeyId = r.KeyId, Algorithm = r.Algorithm, Generation = r.Generation, PublicJwk = r.PublicJwk, ProtectedPrivateKey = r.ProtectedPrivateKey,
        CreatedAt = r.CreatedAt, SignsFrom = r.SignsFrom, ExpiresAt = r.ExpiresAt, RetiredAt = r.RetiredAt,
    };
}
