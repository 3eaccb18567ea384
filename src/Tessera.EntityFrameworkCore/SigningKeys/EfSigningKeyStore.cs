using Microsoft.EntityFrameworkCore;
using Tessera.Core.Revocation;
using Tessera.Core.SigningKeys;
using Tessera.EntityFrameworkCore.Revocation;

namespace Tessera.EntityFrameworkCore.SigningKeys;

/// <summary>The key ring on the <c>signing_keys</c> table: persistence only (see <see cref="SigningKeySchedule"/>).</summary>
internal sealed class EfSigningKeyStore(TesseraDbContext db, TimeProvider time) : ISigningKeyStore
{
    public string Description => "expired signing keys";

    public async Task<IReadOnlyList<StoredSigningKey>> ListAsync(CancellationToken cancellationToken = default)
        => await db.SigningKeys.AsNoTracking().OrderBy(k => k.Generation).ToListAsync(cancellationToken).ConfigureAwait(false);

    public Task<bool> TryInsertAsync(StoredSigningKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var generation = key.Generation;
        // Instances that find the next key due at once all insert the same generation; the unique index keeps one.
        return db.TryInsertAsync(key, () => db.SigningKeys.AnyAsync(k => k.Generation == generation, cancellationToken), cancellationToken);
    }

    public Task SetExpiresAtAsync(string keyId, long expiresAt, CancellationToken cancellationToken = default)
        => db.SigningKeys.Where(k => k.KeyId == keyId && k.ExpiresAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.ExpiresAt, expiresAt), cancellationToken);

    public async Task<AdmissionChange?> RetireAsync(SigningKeyRetirement retirement, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(retirement);
        var (keyId, at, expiresAt, promoted) = retirement;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // Once: of two operators retiring one key, one writes; the other matches nothing.
        if (await db.SigningKeys.Where(k => k.KeyId == keyId && k.RetiredAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(k => k.RetiredAt, at).SetProperty(k => k.ExpiresAt, expiresAt), cancellationToken).ConfigureAwait(false) != 1)
            return null;
        if (promoted is not null)
            await db.SigningKeys.Where(k => k.KeyId == promoted && k.RetiredAt == null && k.SignsFrom > at)
                .ExecuteUpdateAsync(s => s.SetProperty(k => k.SignsFrom, at), cancellationToken).ConfigureAwait(false);
        var change = await db.AppendEventAsync(AdmissionChangeKind.SigningKeyRetired, 0, keyId, expiresAt, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return change;
    }

    public Task<int> RemoveExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var at = now.ToUnixTimeSeconds();
        return db.SigningKeys.Where(k => k.ExpiresAt <= at).ExecuteDeleteAsync(cancellationToken);
    }
}
