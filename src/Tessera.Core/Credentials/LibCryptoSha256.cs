using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Tessera.Core.Credentials;

/// <summary>
/// SHA-256 and HMAC-SHA256 straight from OpenSSL's libcrypto, for the request path: every JWT is a
/// MAC, every session, DRF token and API key a digest. The BCL reaches OpenSSL through its EVP
/// interface, three calls a MAC (update, final, reset), each of which clears OpenSSL's error queue,
/// with context copies and their malloc and free in OpenSSL 3: about 0.5–0.85 µs a MAC on the
/// 2-core machine, of which the hashing is a third. Here a MAC is HMAC's definition over two
/// SHA-256 states computed once per key (the key's inner and outer pads, hashed): each MAC copies
/// them onto the stack and calls <c>SHA256_Update</c>/<c>SHA256_Final</c>, four calls with no
/// error queue, no allocation and no per-thread state.
/// </summary>
/// <remarks>
/// Linux only (where the BCL itself uses libcrypto), and only when the library loads and a
/// self-check at first use gives what the BCL gives (keys shorter than, as long as and longer than
/// a block; messages of zero to several blocks); otherwise, or if anything in that fails,
/// <see cref="IsAvailable"/> is false and callers use the BCL. The low-level
/// SHA-256 functions are deprecated in OpenSSL 3 but exported; they are not the FIPS provider, so a
/// deployment that must use only it sets <c>TESSERA_LIBCRYPTO_SHA256=0</c>.
/// </remarks>
internal static unsafe class LibCryptoSha256
{
    /// <summary>The room kept for one <c>SHA256_CTX</c> (112 bytes in OpenSSL 1.1 and 3): twice that, so a larger layout cannot overrun, and the self-check catches it.</summary>
    public const int StateSize = 256;

    /// <summary>The two states an HMAC key is reduced to: inner pad, then outer pad, each hashed.</summary>
    public const int HmacStatesSize = 2 * StateSize;

    private const int BlockSize = 64;

    // Short, non-blocking calls (a few hundred bytes): no GC transition. Inputs above this take the
    // ordinary transition, so a long hash never holds up a garbage collection.
    private const int SuppressTransitionLimit = 16 * 1024;

    private static readonly delegate* unmanaged[SuppressGCTransition]<byte*, int> s_init;
    private static readonly delegate* unmanaged[SuppressGCTransition]<byte*, byte*, nuint, int> s_updateShort;
    private static readonly delegate* unmanaged<byte*, byte*, nuint, int> s_updateLong;
    private static readonly delegate* unmanaged[SuppressGCTransition]<byte*, byte*, int> s_final;

    /// <summary>True when libcrypto's SHA-256 is loaded and gave the BCL's answers.</summary>
    public static bool IsAvailable { get; }

    static LibCryptoSha256()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("TESSERA_LIBCRYPTO_SHA256") == "0")
            return;
        try
        {
            if (!TryLoad(out var library))
                return;
            s_init = (delegate* unmanaged[SuppressGCTransition]<byte*, int>)NativeLibrary.GetExport(library, "SHA256_Init");
            var update = NativeLibrary.GetExport(library, "SHA256_Update");
            s_updateShort = (delegate* unmanaged[SuppressGCTransition]<byte*, byte*, nuint, int>)update;
            s_updateLong = (delegate* unmanaged<byte*, byte*, nuint, int>)update;
            s_final = (delegate* unmanaged[SuppressGCTransition]<byte*, byte*, int>)NativeLibrary.GetExport(library, "SHA256_Final");
            IsAvailable = SelfCheck();
        }
        catch (Exception)
        {
            // Whatever failed (a missing export, a call that returned an error), the BCL still works:
            // a type initializer that threw would break every MAC instead.
            IsAvailable = false;
        }
    }

    private static bool TryLoad(out nint library)
    {
        // The names the BCL's own OpenSSL shim tries, newest first.
        foreach (var name in (ReadOnlySpan<string>)["libcrypto.so.3", "libcrypto.so.1.1", "libcrypto.so"])
        {
            if (NativeLibrary.TryLoad(name, out library))
                return true;
        }
        library = 0;
        return false;
    }

    /// <summary>The SHA-256 of <paramref name="input"/> into the first 32 bytes of <paramref name="destination"/>.</summary>
    public static void Hash(ReadOnlySpan<byte> input, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, SHA256.HashSizeInBytes, nameof(destination));
        byte* state = stackalloc byte[StateSize];
        Check(s_init(state));
        Update(state, input);
        fixed (byte* output = destination)
            Check(s_final(output, state));
        new Span<byte>(state, StateSize).Clear(); // the input's last block: a secret's bytes
    }

    /// <summary>Reduces an HMAC key to the states <see cref="Hmac"/> starts from (RFC 2104: a key longer than a block is hashed first).</summary>
    public static byte[] PrepareHmac(ReadOnlySpan<byte> key)
    {
        Span<byte> block = stackalloc byte[BlockSize];
        block.Clear();
        if (key.Length > BlockSize)
            Hash(key, block);
        else
            key.CopyTo(block);

        var states = new byte[HmacStatesSize];
        Span<byte> pad = stackalloc byte[BlockSize];
        fixed (byte* s = states)
        {
            for (var i = 0; i < BlockSize; i++)
                pad[i] = (byte)(block[i] ^ 0x36);
            Check(s_init(s));
            Update(s, pad);
            for (var i = 0; i < BlockSize; i++)
                pad[i] = (byte)(block[i] ^ 0x5c);
            Check(s_init(s + StateSize));
            Update(s + StateSize, pad);
        }
        CryptographicOperations.ZeroMemory(block);
        CryptographicOperations.ZeroMemory(pad);
        return states;
    }

    /// <summary>HMAC-SHA256 of <paramref name="input"/> under the key <paramref name="states"/> came from (<see cref="PrepareHmac"/>).</summary>
    public static void Hmac(ReadOnlySpan<byte> states, ReadOnlySpan<byte> input, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, SHA256.HashSizeInBytes, nameof(destination));
        ArgumentOutOfRangeException.ThrowIfNotEqual(states.Length, HmacStatesSize, nameof(states));
        byte* state = stackalloc byte[StateSize];
        byte* inner = stackalloc byte[SHA256.HashSizeInBytes];
        states[..StateSize].CopyTo(new Span<byte>(state, StateSize));
        Update(state, input);
        Check(s_final(inner, state));
        states[StateSize..].CopyTo(new Span<byte>(state, StateSize));
        Check(s_updateShort(state, inner, SHA256.HashSizeInBytes));
        fixed (byte* output = destination)
            Check(s_final(output, state));
        new Span<byte>(state, StateSize).Clear();
        new Span<byte>(inner, SHA256.HashSizeInBytes).Clear();
    }

    private static void Update(byte* state, ReadOnlySpan<byte> input)
    {
        fixed (byte* data = input)
        {
            Check(input.Length <= SuppressTransitionLimit
                ? s_updateShort(state, data, (nuint)input.Length)
                : s_updateLong(state, data, (nuint)input.Length));
        }
    }

    private static void Check(int result)
    {
        if (result != 1)
            throw new CryptographicException("libcrypto's SHA-256 failed.");
    }

    /// <summary>The BCL's answers for keys shorter than, as long as and longer than a block, and messages of zero to several blocks.</summary>
    private static bool SelfCheck()
    {
        Span<byte> ours = stackalloc byte[SHA256.HashSizeInBytes];
        Span<byte> bcl = stackalloc byte[SHA256.HashSizeInBytes];
        var message = new byte[300];
        for (var i = 0; i < message.Length; i++)
            message[i] = (byte)(i * 7 + 1);
        foreach (var keyLength in (ReadOnlySpan<int>)[4, 32, 64, 65, 131])
        {
            var key = message.AsSpan(0, keyLength);
            var states = PrepareHmac(key);
            foreach (var length in (ReadOnlySpan<int>)[0, 28, 55, 56, 64, 300])
            {
                Hmac(states, message.AsSpan(0, length), ours);
                HMACSHA256.HashData(key, message.AsSpan(0, length), bcl);
                if (!ours.SequenceEqual(bcl))
                    return false;
                Hash(message.AsSpan(0, length), ours);
                SHA256.HashData(message.AsSpan(0, length), bcl);
                if (!ours.SequenceEqual(bcl))
                    return false;
            }
        }
        return true;
    }
}
