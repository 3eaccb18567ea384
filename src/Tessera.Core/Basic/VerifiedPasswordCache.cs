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
/// </summary>
public sealed class VerifiedPasswordCache(TimeSpan lifetime, int capacity = VerifiedPasswordCache.DefaultCapacity)
{
    public const int DefaultCapacity = 10_000;

    private readonly KeyedHmacSha256 _mac = new(RandomNumberGenerator.GetBytes(32));
    private readonly ConcurrentDictionary<PairKey, Entry> _entries = new();

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
