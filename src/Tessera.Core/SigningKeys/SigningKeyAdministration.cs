using Tessera.Core.Jwt;
using Tessera.Core.Revocation;

namespace Tessera.Core.SigningKeys;

/// <summary>A key of the ring with where it is in its life (<c>tessera keys list</c>).</summary>
public sealed record SigningKeyStatus(StoredSigningKey Key, SigningKeyState State);

/// <summary>
/// What an operator does to the key ring (<c>tessera keys list | rotate | retire</c>), on the
/// database a running server reads: a rotation is a row it reads within its refresh interval; a
/// retirement goes through <see cref="AdmissionChanges"/>, so every instance hears it at once.
/// </summary>
public sealed class SigningKeyAdministration
{
    private readonly ISigningKeyStore _store;
    private readonly AdmissionChanges _changes;
    private readonly SigningKeyRingKeeper _keeper;
    private readonly TimeProvider _time;

    internal SigningKeyAdministration(ISigningKeyStore store, AdmissionChanges changes, SigningKeyRingKeeper keeper, TimeProvider time)
        => (_store, _changes, _keeper, _time) = (store, changes, keeper, time);

    /// <summary>Every key, by generation, with its state now.</summary>
    public async Task<IReadOnlyList<SigningKeyStatus>> ListAsync(CancellationToken cancellationToken = default)
    {
        var rows = await _store.ListAsync(cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        return [.. rows.OrderBy(r => r.Generation).Select(r => new SigningKeyStatus(r, SigningKeySchedule.StateOf(r, rows, now)))];
    }

    /// <summary>
    /// A new generation now, of the configured algorithm: published at once, signing after
    /// <see cref="SigningKeyOptions.PublishAhead"/> (or at once with <paramref name="signNow"/>:
    /// verifiers that cached the JWKS meet an unknown kid until they fetch it again). Null when another
    /// instance made this generation at the same moment (run it again to make one more).
    /// </summary>
    public async Task<StoredSigningKey?> RotateAsync(bool signNow, CancellationToken cancellationToken = default)
    {
        var rows = await _store.ListAsync(cancellationToken).ConfigureAwait(false);
        var (row, _) = _keeper.NewKey(rows, _time.GetUtcNow().ToUnixTimeSeconds(), signNow);
        return await _store.TryInsertAsync(row, cancellationToken).ConfigureAwait(false) ? row : null;
    }

    /// <summary>
    /// Retires the key (see <see cref="AdmissionChanges.RetireSigningKeyAsync"/>); false when there is
    /// no such key or it is retired already. When no key signs after it, a new generation is made at
    /// once, signing at once (the servers would make it on hearing, too: the generation decides).
    /// </summary>
    public async Task<bool> RetireAsync(string keyId, CancellationToken cancellationToken = default)
    {
        if (!await _changes.RetireSigningKeyAsync(keyId, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
            return false;
        await _keeper.RefreshAsync(_store, cancellationToken).ConfigureAwait(false);
        return true;
    }
}
