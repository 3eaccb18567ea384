using System.Security.Cryptography;
using System.Text;

namespace Tessera.Core.Credentials;

/// <summary>
/// A MAC inside every session id, DRF token and API key this deployment mints: the last characters
/// of the secret are an HMAC of the rest under a key of the deployment's (kept in its database, the
/// same for every instance). A presented secret whose seal does not match was never minted here, so
/// it is refused without a database read: random well-formed credentials sent by an attacker drive
/// no database load. The seal adds nothing to the secret's strength (that is the random part, at
/// least 128 bits, looked up by its SHA-256); it only keeps junk away from the database. A leaked key
/// lets an attacker make lookups again, nothing more.
/// </summary>
public sealed class CredentialSeal
{
    /// <summary>Bytes of the seal key.</summary>
    public const int KeySize = 32;

    /// <summary>Longer secrets are none of ours (they are at most 44 characters): refused before any work.</summary>
    public const int MaxSecretLength = 256;

    private KeyedHmacSha256? _mac;

    /// <summary>Whether the deployment's key has been loaded (at start, before the first request).</summary>
    public bool IsLoaded => Volatile.Read(ref _mac) is not null;

    public void Load(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeySize)
            throw new ArgumentException($"A credential seal key is {KeySize} bytes.", nameof(key));
        Volatile.Write(ref _mac, new KeyedHmacSha256(key));
    }

    /// <summary>
    /// A new secret: <paramref name="body"/> followed by its seal of <paramref name="format"/>'s
    /// length, in its alphabet.
    /// </summary>
    public string Seal(SealedFormat format, string body)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(body.Length, MaxSecretLength - format.SealLength);
        Span<char> seal = stackalloc char[format.SealLength];
        Compute(format, body, seal);
        return string.Concat(body, seal);
    }

    /// <summary>Whether the secret ends in the seal of what precedes it (constant time in the seal).</summary>
    public bool IsSealed(SealedFormat format, ReadOnlySpan<char> secret)
    {
        if (secret.Length <= format.SealLength || secret.Length > MaxSecretLength || Volatile.Read(ref _mac) is null)
            return false;
        Span<char> expected = stackalloc char[format.SealLength];
        Compute(format, secret[..^format.SealLength], expected);
        return CryptographicOperations.FixedTimeEquals(
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(expected),
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(secret[^format.SealLength..]));
    }

    private void Compute(SealedFormat format, ReadOnlySpan<char> body, Span<char> seal)
    {
        var hmac = Volatile.Read(ref _mac) ?? throw new InvalidOperationException("The credential seal key is not loaded yet: the host has not started.");
        // The purpose first, so that a session id's seal is no DRF token's.
        Span<byte> input = stackalloc byte[format.Purpose.Length + 1 + Encoding.UTF8.GetMaxByteCount(body.Length)];
        var written = Encoding.ASCII.GetBytes(format.Purpose, input);
        input[written++] = (byte)':';
        written += Encoding.UTF8.GetBytes(body, input[written..]);
        Span<byte> mac = stackalloc byte[KeyedHmacSha256.MacSize];
        hmac.Compute(input[..written], mac);
        // One MAC byte per character; the slight bias of the modulo costs a fraction of a bit.
        for (var i = 0; i < seal.Length; i++)
            seal[i] = format.Alphabet[mac[i] % format.Alphabet.Length];
    }
}

/// <summary>Where a credential kind keeps its seal: the last <paramref name="SealLength"/> characters, from <paramref name="Alphabet"/>.</summary>
/// <param name="Purpose">The kind, mixed into the MAC.</param>
public sealed record SealedFormat(string Purpose, string Alphabet, int SealLength);
