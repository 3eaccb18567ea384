using System.Security.Cryptography;
using System.Text.Json;
using Tessera.Core.Jwt;

namespace Tessera.Core.SigningKeys;

/// <summary>
/// Keeps this instance's <see cref="JwsKeyRing"/> equal to the deployment's key ring in the
/// database: <see cref="RefreshAsync"/> reads the rows, makes the next generation when it is due
/// (whichever instance gets there first: the unique generation decides, a loser reloads), records
/// the expiries of superseded keys, and swaps the ring. <see cref="Retire"/> takes a retired key out
/// at once, when its change arrives (bus or feed), before any read: a refresh that read the rows
/// before the retirement committed cannot bring it back.
/// <para>
/// Only keys that may sign are unsealed (the signer and the keys published after it, one of which a
/// retirement may promote); older keys verify from their public JWK. Unsealed keys are kept by kid,
/// so a refresh costs one read and no decryption.
/// </para>
/// </summary>
internal sealed class SigningKeyRingKeeper(
    JwsKeyRing ring,
    SigningKeyProtector protector,
    SigningKeyOptions options,
    JwtOptions jwt,
    TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, JwsSigningKey> _keys = new(StringComparer.Ordinal);
    /// <summary>Kids retired by a change this instance heard, until the change expires.</summary>
    private readonly Dictionary<string, SigningKeyRetirement> _retired = new(StringComparer.Ordinal);
    private IReadOnlyList<StoredSigningKey> _rows = [];
    private readonly SemaphoreSlim _refreshRequested = new(0, 1);

    public string Algorithm => jwt.Algorithm;

    /// <summary>The rows of the last refresh.</summary>
    public IReadOnlyList<StoredSigningKey> Rows
    {
        get { lock (_lock) return _rows; }
    }

    /// <summary>
    /// The keys retired (read from the ring or heard as a change) whose tokens could still be valid at
    /// <paramref name="now"/> (unix seconds), with when none can be: what a verifier must still refuse.
    /// </summary>
    public IReadOnlyList<(string KeyId, long ExpiresAt)> RetiredInForce(long now)
    {
        lock (_lock)
        {
            var inForce = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var row in _rows)
                if (row is { RetiredAt: not null, ExpiresAt: { } expires } && expires > now)
                    inForce[row.KeyId] = expires;
            foreach (var heard in _retired.Values)
                if (heard.ExpiresAt > now)
                    inForce[heard.KeyId] = Math.Max(inForce.GetValueOrDefault(heard.KeyId), heard.ExpiresAt);
            return [.. inForce.Select(p => (p.Key, p.Value))];
        }
    }

    /// <summary>Completes when a retirement left no signer: a new generation must be made now, not at the next interval.</summary>
    public Task WaitForRefreshRequestAsync(TimeSpan timeout, CancellationToken cancellationToken)
        => _refreshRequested.WaitAsync(timeout, cancellationToken);

    /// <summary>
    /// Reads the ring, makes what is due, swaps the live ring; the key this call made, if it made one.
    /// Throws what the store or unsealing throws; the live ring is then unchanged.
    /// </summary>
    public async Task<StoredSigningKey?> RefreshAsync(ISigningKeyStore store, CancellationToken cancellationToken = default)
    {
        StoredSigningKey? madeHere = null;
        ArgumentNullException.ThrowIfNull(store);
        var rows = await store.ListAsync(cancellationToken).ConfigureAwait(false);
        // A few rounds at most: each lost race means another instance made the generation.
        for (var round = 0; round < 3; round++)
        {
            var now = Now;
            var effective = WithHeardRetirements(rows);
            if (!SigningKeySchedule.IsNextDue(effective, now, options, jwt.Algorithm))
                break;
            var made = NewKey(effective, now, signNow: false);
            if (await store.TryInsertAsync(made.Row, cancellationToken).ConfigureAwait(false))
            {
                madeHere = made.Row;
                lock (_lock)
                    _keys[made.Row.KeyId] = made.Key;
            }
            rows = await store.ListAsync(cancellationToken).ConfigureAwait(false);
        }
        foreach (var (keyId, expiresAt) in SigningKeySchedule.Expiries(rows, Now, jwt.LongestTokenLifetime).ToList())
        {
            await store.SetExpiresAtAsync(keyId, expiresAt, cancellationToken).ConfigureAwait(false);
            rows = [.. rows.Select(r => r.KeyId == keyId && r.ExpiresAt is null ? SigningKeySchedule.Copy(r, expiresAt: expiresAt) : r)];
        }
        Apply(rows);
        return madeHere;
    }

    /// <summary>
    /// A retirement heard from the change feed or the bus: the key verifies nothing from the moment
    /// this returns. When it was the signer, the published next key signs at once (the retiring
    /// instance wrote the same); when there is none, no key signs until a refresh, which is requested now.
    /// </summary>
    public void Retire(string keyId, long expiresAt)
    {
        var now = Now;
        lock (_lock)
        {
            var retirement = SigningKeySchedule.Retire(_rows, keyId, now, jwt.LongestTokenLifetime)
                ?? new SigningKeyRetirement(keyId, now, expiresAt, null); // unknown here yet (made since the last read): never admitted
            _retired[keyId] = retirement with { ExpiresAt = Math.Max(retirement.ExpiresAt, expiresAt) };
            ApplyLocked(_rows, now);
        }
        if (ring.Current.Signing is null)
            RequestRefresh();
    }

    /// <summary>A new key for the ring: a fresh kid, its private half sealed for its row.</summary>
    public (StoredSigningKey Row, JwsSigningKey Key) NewKey(IReadOnlyCollection<StoredSigningKey> rows, long now, bool signNow)
    {
        var keyId = NewKeyId();
        var key = JwsSigningKey.Generate(jwt.Algorithm, keyId);
        var row = new StoredSigningKey
        {
            KeyId = keyId,
            Algorithm = jwt.Algorithm,
            Generation = SigningKeySchedule.NextGeneration(rows),
            PublicJwk = JsonSerializer.Serialize(key.PublicJwk),
            ProtectedPrivateKey = protector.Seal(keyId, jwt.Algorithm, key.ExportPrivateKey()),
            CreatedAt = now,
            SignsFrom = SigningKeySchedule.SignsFromOfNew(rows, now, options, signNow),
        };
        return (row, key);
    }

    /// <summary>16 bytes from the CSPRNG, base64url: 22 characters, within the change feed's login id column (28).</summary>
    public static string NewKeyId()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        return StrictBase64Url.Encode(bytes);
    }

    private void RequestRefresh()
    {
        try
        {
            _refreshRequested.Release();
        }
        catch (SemaphoreFullException)
        {
            // one request pending is enough
        }
    }

    private void Apply(IReadOnlyList<StoredSigningKey> rows)
    {
        lock (_lock)
            ApplyLocked(rows, Now);
    }

    private void ApplyLocked(IReadOnlyList<StoredSigningKey> rows, long now)
    {
        foreach (var (kid, retirement) in _retired.ToList())
            if (retirement.ExpiresAt < now)
                _retired.Remove(kid);
        var effective = WithHeardRetirementsLocked(rows);
        var signer = SigningKeySchedule.Signer(effective, now);
        var published = SigningKeySchedule.Published(effective, now);
        var verifying = new List<JwsSigningKey>(published.Count);
        JwsSigningKey? signing = null;
        foreach (var row in published)
        {
            var key = row == signer || (signer is not null && row.Generation > signer.Generation) ? Unsealed(row) : Public(row);
            if (row == signer)
                signing = key;
            else
                verifying.Add(key);
        }
        foreach (var kid in _keys.Keys.Where(kid => !published.Any(r => r.KeyId == kid)).ToList())
            _keys.Remove(kid);
        _rows = rows;
        ring.Replace(new JwsKeySet(signing, verifying));
    }

    private JwsSigningKey Unsealed(StoredSigningKey row)
    {
        if (_keys.TryGetValue(row.KeyId, out var key) && key.HasPrivateKey)
            return key;
        var pkcs8 = protector.Unseal(row.KeyId, row.Algorithm, row.ProtectedPrivateKey);
        try
        {
            return _keys[row.KeyId] = JwsSigningKey.ImportPrivateKey(row.Algorithm, row.KeyId, pkcs8);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    private JwsSigningKey Public(StoredSigningKey row)
    {
        if (_keys.TryGetValue(row.KeyId, out var key))
            return key;
        using var jwk = JsonDocument.Parse(row.PublicJwk);
        if (!JwsSigningKey.TryImportPublicJwk(jwk.RootElement, out var imported) || imported is null || imported.KeyId != row.KeyId || imported.Algorithm != row.Algorithm)
            throw new SigningKeyProtectionException(row.KeyId, $"the public key of signing key '{row.KeyId}' in the database is not a valid {row.Algorithm} JWK for its kid.");
        return _keys[row.KeyId] = imported;
    }

    private IReadOnlyList<StoredSigningKey> WithHeardRetirements(IReadOnlyList<StoredSigningKey> rows)
    {
        lock (_lock)
            return WithHeardRetirementsLocked(rows);
    }

    /// <summary>The rows with every retirement this instance heard applied, whether or not the rows were read after it.</summary>
    private IReadOnlyList<StoredSigningKey> WithHeardRetirementsLocked(IReadOnlyList<StoredSigningKey> rows)
    {
        foreach (var retirement in _retired.Values)
            if (rows.FirstOrDefault(r => r.KeyId == retirement.KeyId) is { RetiredAt: null })
                rows = SigningKeySchedule.Apply(rows, retirement);
        return rows;
    }

    private long Now => time.GetUtcNow().ToUnixTimeSeconds();
}
