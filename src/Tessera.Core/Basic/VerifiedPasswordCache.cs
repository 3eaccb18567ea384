using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Tessera.Core.Credentials;

namespace Tessera.Core.Basic;

/// <summary>
/// Basic sends the password with every request; DRF hashes it every time, which makes Basic unusable
/// at scale (600,000 PBKDF2 rounds a request). This remembers a username/password pair that passed a
/// password check, for <see cref="Lifetime"/>, so that only the first request pays the hash, as the
/// password's cost intends. What is kept is an HMAC of the pair under a key drawn at start and never
/// stored (never the password, never a plain hash of it: a memory dump gives nothing to crack
/// offline without the key), with the user and the revocation epoch the check read. An entry whose
/// epoch the user has left (password change, revoke-all, deactivation) is no entry: the next request
/// pays the hash again, and a changed password fails it. Thread-safe; at most <see cref="Capacity"/>
/// entries (about 100 bytes each), after which it starts again.
/// <para>
/// Concurrent requests with a pair not (yet) remembered share one check of it
/// (<see cref="CheckOnceAsync"/>), keyed by the same HMAC: a burst of one client's requests costs one
/// hash and one login attempt, not one each.
/// </para>
/// </summary>
internal sealed class VerifiedPasswordCache(TimeSpan lifetime, int capacity = VerifiedPasswordCache.DefaultCapacity)
{
    public const int DefaultCapacity = 10_000;

    private readonly KeyedHmacSha256 _mac = new(RandomNumberGenerator.GetBytes(32));
    private readonly ConcurrentDictionary<PairKey, Entry> _entries = new();
    private readonly ConcurrentDictionary<PairKey, TaskCompletionSource<object?>> _checking = new();

    public TimeSpan Lifetime { get; } = lifetime;

    public int Capacity { get; } = capacity;

    public int Count => _entries.Count;

    /// <summary>The user and epoch a check of this very pair found, if it is remembered and not expired.</summary>
    public bool TryGet(string username, string password, DateTimeOffset now, out long userId, out long epoch)
    {
        (userId, epoch) = (0, 0);
        if (Lifetime <= TimeSpan.Zero)
            return false;
        var key = KeyOf(username, password);
        if (!_entries.TryGetValue(key, out var entry))
            return false;
        if (entry.ExpiresAt <= now)
        {
            _entries.TryRemove(new KeyValuePair<PairKey, Entry>(key, entry));
            return false;
        }
        (userId, epoch) = (entry.UserId, entry.Epoch);
        return true;
    }

    /// <summary>The pair passed a password check that read <paramref name="epoch"/>.</summary>
    public void Remember(string username, string password, long userId, long epoch, DateTimeOffset now)
    {
        if (Lifetime <= TimeSpan.Zero)
            return;
        if (_entries.Count >= Capacity)
            _entries.Clear(); // a bound, not a policy: the next requests pay one hash each again
        _entries[KeyOf(username, password)] = new Entry(userId, epoch, now + Lifetime);
    }

    public void Forget(string username, string password) => _entries.TryRemove(KeyOf(username, password), out _);

    /// <summary>
    /// Runs <paramref name="check"/> of the pair, unless a check of this very pair is running already:
    /// then its answer (or its exception) is this call's too. So concurrent requests with one pair
    /// cost one hash and count as one login attempt; identical wrong pairs are one guess, and count
    /// as one failure. Whatever <see cref="Lifetime"/>: this remembers nothing once the check is over.
    /// A call that joined a check which was cancelled (its request went away) runs one of its own.
    /// </summary>
    public async Task<T> CheckOnceAsync<T>(string username, string password, Func<Task<T>> check, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(check);
        var key = KeyOf(username, password);
        while (true)
        {
            var mine = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
            var running = _checking.GetOrAdd(key, mine);
            if (running != mine)
            {
                try
                {
                    return (T)(await running.Task.WaitAsync(cancellationToken).ConfigureAwait(false))!;
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    continue; // the request that ran it went away first: check again
                }
            }

            T result;
            try
            {
                result = await check().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                _checking.TryRemove(new KeyValuePair<PairKey, TaskCompletionSource<object?>>(key, mine));
                if (e is OperationCanceledException)
                    mine.TrySetCanceled();
                else if (mine.TrySetException(e))
                    _ = mine.Task.Exception; // observed: nobody else may be waiting for it
                throw;
            }
            // Out before the answer: a request arriving from now on checks anew (or finds the pair remembered).
            _checking.TryRemove(new KeyValuePair<PairKey, TaskCompletionSource<object?>>(key, mine));
            mine.TrySetResult(result);
            return result;
        }
    }

    private PairKey KeyOf(string username, string password)
    {
        // Length-prefixed, so that ("ab", "c") and ("a", "bc") are different pairs. Written as UTF-8
        // straight onto the stack (no copy of the password on the heap) unless the pair is unusually long.
        var max = 12 + Encoding.UTF8.GetMaxByteCount(username.Length + password.Length);
        var bytes = max > 1024 ? new byte[max] : stackalloc byte[max];
        System.Text.Unicode.Utf8.TryWrite(bytes, $"{username.Length}:{username}:{password}", out var written);
        Span<byte> mac = stackalloc byte[KeyedHmacSha256.MacSize];
        _mac.Compute(bytes[..written], mac);
        CryptographicOperations.ZeroMemory(bytes);
        return new PairKey(BitConverter.ToUInt64(mac), BitConverter.ToUInt64(mac[8..]), BitConverter.ToUInt64(mac[16..]), BitConverter.ToUInt64(mac[24..]));
    }

    private readonly record struct PairKey(ulong A, ulong B, ulong C, ulong D);

    private sealed record Entry(long UserId, long Epoch, DateTimeOffset ExpiresAt);
}
