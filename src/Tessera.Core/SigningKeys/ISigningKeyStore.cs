using Tessera.Core.Revocation;

namespace Tessera.Core.SigningKeys;

/// <summary>
/// The deployment's key ring in its database: persistence only. What is due, what signs and what is
/// published is decided by <see cref="SigningKeySchedule"/>; a retirement is made by
/// <see cref="AdmissionChanges.RetireSigningKeyAsync"/>. Rows expire (<see cref="IExpiringRecords"/>)
/// once no token their key signed can still be valid.
/// </summary>
public interface ISigningKeyStore : IExpiringRecords
{
    /// <summary>Every row, any order.</summary>
    Task<IReadOnlyList<StoredSigningKey>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Inserts a new generation; false when its generation is taken (another instance made the
    /// same generation first: decided by the store, e.g. a unique index). The loser reloads.
    /// </summary>
    Task<bool> TryInsertAsync(StoredSigningKey key, CancellationToken cancellationToken = default);

    /// <summary>Sets the row's expiry if it has none yet (every instance computes the same one).</summary>
    Task SetExpiresAtAsync(string keyId, long expiresAt, CancellationToken cancellationToken = default);

    /// <summary>
    /// One unit of work: the row retired (and its expiry set), the next key made the signer when
    /// <see cref="SigningKeyRetirement.PromotedKeyId"/> names one, and a
    /// <see cref="AdmissionChangeKind.SigningKeyRetired"/> change appended. Null, nothing written,
    /// when there is no such row or it is retired already.
    /// </summary>
    Task<AdmissionChange?> RetireAsync(SigningKeyRetirement retirement, CancellationToken cancellationToken = default);
}

/// <summary>What a retirement writes (unix seconds), decided by <see cref="SigningKeySchedule.Retire"/>.</summary>
/// <param name="PromotedKeyId">The published next key, which signs from <paramref name="RetiredAt"/> in the place of the retired signer; null otherwise.</param>
public sealed record SigningKeyRetirement(string KeyId, long RetiredAt, long ExpiresAt, string? PromotedKeyId);
