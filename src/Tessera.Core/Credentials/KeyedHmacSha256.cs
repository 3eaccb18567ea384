using System.Security.Cryptography;

namespace Tessera.Core.Credentials;

/// <summary>
/// HMAC-SHA256 under one key, fast enough for every request (every JWT, every credential seal).
/// The BCL's, but not its static one-shot (<see cref="HMACSHA256.HashData(byte[], byte[])"/>), which
/// builds a new keyed context on every call, and on Linux with OpenSSL 3 that setup costs more than
/// the hashing (measured: about 3.3 µs a call against about 1.1 µs reused), and leaves a
/// finalizable handle behind for the GC. So each thread keeps one keyed
/// <see cref="IncrementalHash"/> (which is not thread-safe) and reuses it: every use appends, then
/// takes the hash and resets, in one synchronous call, so nothing is left in it between uses.
/// Thread-safe.
/// </summary>
internal sealed class KeyedHmacSha256 : IDisposable
{
    public const int MacSize = HMACSHA256.HashSizeInBytes;

    // The key, to key a context for each new thread.
    private readonly byte[] _key;
    private readonly ThreadLocal<IncrementalHash> _perThread;

    public KeyedHmacSha256(ReadOnlySpan<byte> key)
    {
        if (key.IsEmpty)
            throw new ArgumentException("An HMAC key must not be empty.", nameof(key));
        var copy = _key = key.ToArray();
        _perThread = new ThreadLocal<IncrementalHash>(() => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, copy), trackAllValues: true);
    }

    /// <summary>The MAC of <paramref name="input"/> into <paramref name="destination"/> (at least <see cref="MacSize"/> bytes).</summary>
    public void Compute(ReadOnlySpan<byte> input, Span<byte> destination)
    {
        // Checked first: TryGetHashAndReset does not reset when the destination is too small, and
        // the next use on this thread would then hash this input too.
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, MacSize, nameof(destination));
        var mac = _perThread.Value!;
        try
        {
            mac.AppendData(input);
            mac.TryGetHashAndReset(destination, out _);
        }
        catch
        {
            // Whatever failed may have left input in it: this thread starts over with a fresh one.
            _perThread.Value = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
            mac.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var mac in _perThread.Values)
            mac.Dispose();
        _perThread.Dispose();
        CryptographicOperations.ZeroMemory(_key);
    }
}
