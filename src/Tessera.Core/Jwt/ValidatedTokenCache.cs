using System.Numerics;
using System.Runtime.InteropServices;
using Tessera.Core.Admission;
using Tessera.Core.Credentials;

namespace Tessera.Core.Jwt;

/// <summary>
/// The tokens that requests presented lately and that proved a login, remembered by their exact
/// text: a client sends the same access token with every request until it expires, and the
/// signature, the base64 and the JSON of it are checked once, not once per request.
/// </summary>
/// <remarks>
/// A hit answers what <see cref="TokenValidator"/> would: the text is compared in full (in fixed
/// time: a token is a bearer secret, and how much of one matches must not show), and the
/// checks that depend on the time are made again — the token is still before its <c>exp</c> (with
/// the leeway), and the clock has not gone back before the instant it was validated (its
/// <c>iat</c> and <c>nbf</c> passed then, so they pass at any later instant). Whether its login and
/// user are still admitted is not remembered here: every request still goes through the gate.
/// Only tokens that passed are remembered, so a forged or altered one costs its full validation
/// every time and can displace nothing. Bounded by construction: <see cref="Capacity"/> slots, each
/// holding at most one token of at most <see cref="MaxTokenLength"/> characters; a token takes the
/// slot its last characters choose (a signature's, for any real token) from the one there before.
/// An entry is about 0.3 KB plus the token's text, twice its length in bytes (≈ 1 KB for
/// Tessera's tokens; 4096 slots, ≈ 4 MB; at most ≈ 18 MB). Lock-free and thread-safe.
/// A remembered token is as good as the key that verified it: once that key has left the
/// <see cref="JwsKeyRing"/> (a retired signing key), the token is validated again, and fails.
/// </remarks>
internal sealed class ValidatedTokenCache
{
    public const int DefaultCapacity = 4096;

    /// <summary>Longer tokens (an app's large custom claims) are validated every time rather than held.</summary>
    public const int MaxTokenLength = 2048;

    // Characters at the end of the text that choose the slot: 48 bits of a signature.
    private const int SlotKeyLength = 8;

    private readonly Entry?[] _slots;
    private readonly Int128 _leewayTicks;
    private readonly JwsKeyRing _ring;

    /// <param name="options">The leeway.</param>
    /// <param name="ring">The ring the validator verifies with: a token is forgotten when its key leaves it.</param>
    /// <param name="capacity">Rounded up to a power of two.</param>
    public ValidatedTokenCache(JwtOptions options, JwsKeyRing ring, int capacity = DefaultCapacity)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(ring);
        _ring = ring;
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, 1 << 20);
        _slots = new Entry?[(int)BitOperations.RoundUpToPowerOf2((uint)capacity)];
        _leewayTicks = options.Leeway.Ticks;
    }

    public int Capacity => _slots.Length;

    /// <summary>The token and proof remembered for exactly <paramref name="token"/>, if it is still valid at <paramref name="now"/>.</summary>
    public Entry? Find(ReadOnlySpan<char> token, DateTimeOffset now)
    {
        if (token.Length is < SlotKeyLength or > MaxTokenLength)
            return null;
        var entry = Volatile.Read(ref _slots[SlotOf(token)]);
        if (entry is null || !FixedTime.Equals(entry.Token.Text, token))
            return null;
        if (now.UtcTicks < entry.ValidatedAtUtcTicks || NumericDate.UnixTicks(now) >= entry.ExpiredAtUnixTicks)
            return null; // validated again, as if never seen: the validator says why it fails, or that it passes
        var keys = _ring.Current;
        if (!ReferenceEquals(entry.KeySet, keys))
        {
            // The ring changed since: still good if its key is still in it (then remember that, so
            // the next hit is one comparison again; racing writers all write a set that holds it).
            if (entry.VerifiedBy is not { } key || !keys.Contains(key))
                return null;
            entry.KeySet = keys;
        }
        return entry;
    }

    /// <summary>Remembers a token that <see cref="TokenValidator"/> accepted at <paramref name="validatedAt"/>, and the login it proved.</summary>
    public void Remember(ValidatedToken token, CredentialProof proof, DateTimeOffset validatedAt)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(proof);
        var text = token.Text;
        if (text.Length is < SlotKeyLength or > MaxTokenLength)
            return;
        var entry = new Entry(token, proof, validatedAt.UtcTicks, NumericDate.SecondsToTicks(token.Exp) + _leewayTicks)
        {
            VerifiedBy = token.VerifiedBy,
            KeySet = token.KeySet,
        };
        Volatile.Write(ref _slots[SlotOf(text)], entry);
    }

    private int SlotOf(ReadOnlySpan<char> token)
    {
        var key = MemoryMarshal.Read<ulong>(MemoryMarshal.AsBytes(token[^SlotKeyLength..])) ^ MemoryMarshal.Read<ulong>(MemoryMarshal.AsBytes(token[^(SlotKeyLength / 2)..]));
        return (int)((key * 0x9E3779B97F4A7C15UL) >> 40) & (_slots.Length - 1);
    }

    /// <summary>A remembered token and the login it proved.</summary>
    public sealed class Entry
    {
        internal Entry(ValidatedToken token, CredentialProof proof, long validatedAtUtcTicks, Int128 expiredAtUnixTicks)
            => (Token, Proof, ValidatedAtUtcTicks, ExpiredAtUnixTicks) = (token, proof, validatedAtUtcTicks, expiredAtUnixTicks);

        public ValidatedToken Token { get; }

        public CredentialProof Proof { get; }

        internal long ValidatedAtUtcTicks { get; }

        /// <summary>The first instant (unix ticks) at which the validator would call it expired.</summary>
        internal Int128 ExpiredAtUnixTicks { get; }

        internal JwsSigningKey? VerifiedBy { get; init; }

        /// <summary>A set known to hold <see cref="VerifiedBy"/>.</summary>
        internal JwsKeySet? KeySet
        {
            get => Volatile.Read(ref _keySet);
            set => Volatile.Write(ref _keySet, value);
        }

        private JwsKeySet? _keySet;
    }
}
