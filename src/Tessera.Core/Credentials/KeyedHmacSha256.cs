using System.Security.Cryptography;

namespace Tessera.Core.Credentials;

/// <summary>
/// HMAC-SHA256 under one key, fast enough for every request (every JWT, every credential seal).
/// Where <see cref="LibCryptoSha256"/> is available, the key is reduced once to HMAC's two hashed
/// pads and each MAC starts from them on the stack: no allocation, no per-thread state. Otherwise
/// the BCL, but not its static one-shot (<see cref="HMACSHA256.HashData(byte[], byte[])"/>), which
/// builds a new keyed context on every call, and on Linux with OpenSSL 3 that setup costs more than
/// the hashing (measured: about 3.3 µs a call against about 1.1 µs reused), and leaves a
/// finalizable handle behind for the GC. So each thread keeps one keyed
/// <see cref="IncrementalHash"/> (which is not thread-safe) and reuses it: every use appends, then
/// takes the hash and resets, in one synchronous call, so nothing is left in it between uses.
/// Thread-safe.
/// </summary>
public sealed class KeyedHmacSha256 : IDisposable
{
    public const int MacSize = HMACSHA256.HashSizeInBytes;

    // Exactly one of the two: libcrypto's hashed pads, or the BCL's keyed context per thread (which
    // keeps the key, to key a context for each new thread).
    private readonly byte[]? _states;
    private readonly byte[]? _key;
    private readonly ThreadLocal<IncrementalHash>? _perThread;

    public KeyedHmacSha256(ReadOnlySpan<byte> key)
        : this(key, LibCryptoSha256.IsAvailable)
    {
    }

    /// <summary>With <paramref name="useLibCrypto"/> false, the BCL's path even where libcrypto's is available (the tests compare the two).</summary>
    internal KeyedHmacSha256(ReadOnlySpan<byte> key, bool useLibCrypto)
    {
        if (key.IsEmpty)
            throw new ArgumentException("An HMAC key must not be empty.", nameof(key));
        if (useLibCrypto && LibCryptoSha256.IsAvailable)
        {
            _states = LibCryptoSha256.PrepareHmac(key);
            return;
        }
        var copy = _key = key.ToArray();
        _perThread = new ThreadLocal<IncrementalHash>(() => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, copy), trackAllValues: true);
    }

    /// <summary>The MAC of <paramref name="input"/> into <paramref name="destination"/> (at least <see cref="MacSize"/> bytes).</summary>
    public void Compute(ReadOnlySpan<byte> input, Span<byte> destination)
    {
        // Checked first: TryGetHashAndReset does not reset when the destination is too small, and
        // the next use on this thread would then hash this input too.
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, MacSize, nameof(destination));
        if (_states is not null)
        {
            LibCryptoSha256.Hmac(_states, input, destination);
            return;
        }

        var mac = _perThread!.Value!;
        try
        {
            mac.AppendData(input);
            mac.TryGetHashAndReset(destination, out _);
        }
        catch
        {
            // Whatever failed may have left input in it: this thread starts over with a fresh one.
            _perThread.Value = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key!);
            mac.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (_perThread is not null)
        {
            foreach (var mac in _perThread.Values)
                mac.Dispose();
            _perThread.Dispose();
        }
        if (_states is not null)
            CryptographicOperations.ZeroMemory(_states);
        if (_key is not null)
            CryptographicOperations.ZeroMemory(_key);
    }
}
