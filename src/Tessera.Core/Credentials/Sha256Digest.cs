using System.Security.Cryptography;

namespace Tessera.Core.Credentials;

/// <summary>
/// SHA-256 for the request path, where sessions, DRF tokens and API keys are looked up by their
/// secret's digest. The BCL's, but not its one-shot
/// <see cref="SHA256.HashData(ReadOnlySpan{byte}, Span{byte})"/>, which allocates, sets up and frees
/// an OpenSSL digest context on every call (measured on Linux: about 1.0 µs a call against 0.6–0.7 µs
/// reused): each thread keeps one <see cref="IncrementalHash"/> and reuses it, as
/// <see cref="KeyedHmacSha256"/> does for the HMAC; every use appends, then takes the hash and
/// resets, in one synchronous call, so nothing is left in it between uses. Thread-safe.
/// </summary>
internal static class Sha256Digest
{
    [ThreadStatic]
    private static IncrementalHash? t_hash;

    /// <summary>The digest of <paramref name="input"/> into <paramref name="destination"/> (at least 32 bytes).</summary>
    public static void Compute(ReadOnlySpan<byte> input, Span<byte> destination)
    {
        // Checked first: TryGetHashAndReset does not reset when the destination is too small.
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, SHA256.HashSizeInBytes, nameof(destination));
        var hash = t_hash ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        try
        {
            hash.AppendData(input);
            hash.TryGetHashAndReset(destination, out _);
        }
        catch
        {
            // Whatever failed may have left input in it: this thread starts over with a fresh one.
            t_hash = null;
            hash.Dispose();
            throw;
        }
    }
}
