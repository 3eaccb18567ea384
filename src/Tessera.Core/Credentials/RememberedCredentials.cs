using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Tessera.Core.Revocation;
using Tessera.Core.Users;

namespace Tessera.Core.Credentials;

/// <summary>
/// Sessions, DRF tokens and API keys admitted from memory, as JWTs are: a credential's row, once
/// read, is remembered under its secret's SHA-256 for <see cref="Lifetime"/>, so that later requests
/// holding it cost no database read. What could end it meanwhile is decided by the gate, in memory,
/// as for every login: deleting the credential (logout, token delete, key revoke) revokes its
/// <see cref="StoredCredentialExtensions.Login"/> through the revocation feed, so every instance
/// refuses the copy it remembers on the very next request; password change, revoke-all and
/// deactivation move the user's epoch; expiry is the row's own. A secret that is not sealed by this
/// deployment (<see cref="CredentialSeal"/>) costs no read either, and one read and found missing is
/// remembered as missing. Thread-safe; at most <see cref="Capacity"/> entries.
/// </summary>
internal sealed class RememberedCredentials
{
    /// <summary>The longest <see cref="Lifetime"/>: what a revocation must outlive.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a deleted credential's revocation is kept: past any copy remembered before it (an
    /// entry's life counts from before its read, which found the row, so before the delete), with a
    /// margin for clocks that differ between instances.
    /// </summary>
    public static readonly TimeSpan RevocationHorizon = MaxLifetime + TimeSpan.FromMinutes(5);

    public const int DefaultCapacity = 100_000;

    private readonly ConcurrentDictionary<Digest, Entry> _entries = new();
    private readonly CredentialSeal _seal;
    private readonly RevocationState _revocations;
    private readonly UserSnapshots _users;
    private readonly TimeProvider _time;
    private HashSet<Digest> _unsealed = [];

    /// <param name="lifetime">Zero reads the database on every request, as before memory admission.</param>
    /// <param name="revocations">
    /// A remembered credential whose login is revoked was deleted (on this instance or another): it
    /// is answered as the database now would, missing, not as a refused login.
    /// </param>
    /// <param name="users">
    /// Likewise one from an epoch its user has left: password change and revoke-all delete the rows
    /// of the epoch they end.
    /// </param>
    public RememberedCredentials(CredentialSeal seal, RevocationState revocations, UserSnapshots users, TimeProvider time, TimeSpan lifetime, int capacity = DefaultCapacity)
    {
        ArgumentNullException.ThrowIfNull(seal);
        ArgumentNullException.ThrowIfNull(revocations);
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lifetime, MaxLifetime);
        ArgumentOutOfRangeException.ThrowIfLessThan(lifetime, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        (_seal, _revocations, _users, _time, Lifetime, Capacity) = (seal, revocations, users, time, lifetime, capacity);
    }

    public TimeSpan Lifetime { get; }

    public int Capacity { get; }

    public int Count => _entries.Count;

    /// <summary>
    /// The secrets minted before the deployment had a seal key (their rows' hashes): still admitted,
    /// read like sealed ones. Fixed at start; it only shrinks as those rows expire.
    /// </summary>
    public void SetUnsealed(IEnumerable<string> keyHashes)
        => Volatile.Write(ref _unsealed, keyHashes.Select(Digest.FromHex).ToHashSet());

    public int UnsealedCount => Volatile.Read(ref _unsealed).Count;

    /// <summary>
    /// The live row of the presented secret, or null: not sealed by this deployment (no read), known
    /// to be missing, or read and found missing or expired. <paramref name="read"/> is asked with the
    /// secret's <see cref="OpaqueSecret.Hash"/> only when memory does not know it.
    /// </summary>
    public ValueTask<FoundCredential?> FindAsync<TState>(
        SealedFormat format,
        string secret,
        TState state,
        Func<TState, string, CancellationToken, Task<IStoredCredential?>> read,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (secret.Length > CredentialSeal.MaxSecretLength)
            return ValueTask.FromResult<FoundCredential?>(null);
        var digest = Digest.Of(secret);
        var now = _time.GetUtcNow();
        if (_entries.TryGetValue(digest, out var entry) && entry.RememberedUntil > now)
            return ValueTask.FromResult(entry.Found is { } found && IsLive(found, now) ? found : null);
        if (!_seal.IsSealed(format, secret) && !Volatile.Read(ref _unsealed).Contains(digest))
            return ValueTask.FromResult<FoundCredential?>(null);
        return ReadAsync(digest, now, state, read, cancellationToken);
    }

    private async ValueTask<FoundCredential?> ReadAsync<TState>(
        Digest digest, DateTimeOffset readStarted, TState state, Func<TState, string, CancellationToken, Task<IStoredCredential?>> read, CancellationToken cancellationToken)
    {
        var row = await read(state, digest.ToHex(), cancellationToken).ConfigureAwait(false);
        var found = row is null ? null : new FoundCredential(row, row.Login());
        if (found is not null && !IsLive(found, readStarted))
            found = null;
        if (Lifetime > TimeSpan.Zero)
        {
            MakeRoom(readStarted);
            // From before the read: a delete committed after it is revoked for RevocationHorizon from
            // then, which outlasts this entry.
            _entries[digest] = new Entry(found, readStarted + Lifetime);
        }
        return found;
    }

    /// <summary>Would the database still hold the row? (Whether its user is admitted is the gate's question.)</summary>
    private bool IsLive(FoundCredential found, DateTimeOffset now)
        => !found.Row.IsExpiredAt(now)
           && !_revocations.IsRevoked(found.Login)
           && !(found.Row.Epoch is { } epoch && _users.Find(found.Row.UserId) is { } user && epoch < user.RevocationEpoch);

    /// <summary>Drops the entries whose time is up; how many went.</summary>
    public int RemoveExpired(DateTimeOffset now)
    {
        var removed = 0;
        foreach (var (digest, entry) in _entries)
            if (entry.RememberedUntil <= now && _entries.TryRemove(new KeyValuePair<Digest, Entry>(digest, entry)))
                removed++;
        return removed;
    }

    /// <summary>At the bound: the expired go first, then arbitrary ones (their next request reads again) down to 90 %.</summary>
    private void MakeRoom(DateTimeOffset now)
    {
        if (_entries.Count < Capacity)
            return;
        RemoveExpired(now);
        var excess = _entries.Count - Capacity * 9 / 10;
        foreach (var digest in _entries.Keys)
        {
            if (excess-- <= 0)
                break;
            _entries.TryRemove(digest, out _);
        }
    }

    private sealed record Entry(FoundCredential? Found, DateTimeOffset RememberedUntil);

    /// <summary>SHA-256 of the secret's UTF-8, as four words: no string, no allocation per lookup.</summary>
    private readonly record struct Digest(ulong A, ulong B, ulong C, ulong D)
    {
        public static Digest Of(string secret)
        {
            Span<byte> utf8 = stackalloc byte[Encoding.UTF8.GetMaxByteCount(CredentialSeal.MaxSecretLength)];
            var length = Encoding.UTF8.GetBytes(secret, utf8);
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            Sha256Digest.Compute(utf8[..length], hash);
            return From(hash);
        }

        public static Digest FromHex(string hex) => From(Convert.FromHexString(hex));

        private static Digest From(ReadOnlySpan<byte> hash)
            => new(BitConverter.ToUInt64(hash), BitConverter.ToUInt64(hash[8..]), BitConverter.ToUInt64(hash[16..]), BitConverter.ToUInt64(hash[24..]));

        public string ToHex()
        {
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            BitConverter.TryWriteBytes(hash, A);
            BitConverter.TryWriteBytes(hash[8..], B);
            BitConverter.TryWriteBytes(hash[16..], C);
            BitConverter.TryWriteBytes(hash[24..], D);
            return Convert.ToHexStringLower(hash);
        }
    }
}

/// <summary>A live stored credential and its login.</summary>
internal sealed record FoundCredential(IStoredCredential Row, LoginId Login);
