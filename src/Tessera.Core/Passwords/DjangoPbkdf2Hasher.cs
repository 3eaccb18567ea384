using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Unicode;

namespace Tessera.Core.Passwords;

/// <summary>
/// Django's <c>PBKDF2PasswordHasher</c>, byte for byte: <c>pbkdf2_sha256$&lt;iterations&gt;$&lt;salt&gt;$&lt;hash&gt;</c>
/// where <c>hash = base64(pbkdf2_hmac("sha256", utf8(password), utf8(salt), iterations, dklen=32))</c>
/// (standard base64, padded). Hashes taken unchanged from a Django database verify; ours verify in Django.
/// Also verifies (never produces) Django's legacy <c>pbkdf2_sha1$…</c>, always flagged for rehash.
/// </summary>
/// <remarks>
/// Thread-safe and CPU-bound by design: call it from <see cref="PasswordHashingPool"/>, not a request thread.
/// Every failed verification costs at least what a verification at the configured iteration count
/// costs (unknown user, unusable or malformed stored value, fewer stored iterations), so response
/// time does not tell which accounts exist or how they are stored.
/// </remarks>
public sealed class DjangoPbkdf2Hasher
{
    /// <summary>The algorithm prefix of the hashes we produce.</summary>
    public const string Algorithm = "pbkdf2_sha256";

    /// <summary>Django's legacy <c>PBKDF2SHA1PasswordHasher</c> prefix; verified, never produced.</summary>
    public const string Sha1Algorithm = "pbkdf2_sha1";

    /// <summary>Django's <c>RANDOM_STRING_CHARS</c>.</summary>
    public const string SaltAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    /// <summary>
    /// Salt length: <c>ceil(128 / log2(62))</c> = 22 characters, i.e. ≥ 128 bits, as Django ≥ 3.1's
    /// <c>salt_entropy</c>. Stored salts shorter than this are flagged for rehash, as Django does.
    /// </summary>
    public const int SaltLength = 22;

    /// <summary>Django's <c>UNUSABLE_PASSWORD_PREFIX</c>: such a value never verifies.</summary>
    public const char UnusablePasswordPrefix = '!';

    private const int UnusablePasswordSuffixLength = 40; // Django's UNUSABLE_PASSWORD_SUFFIX_LENGTH
    private const int Sha256KeyLength = 32;
    private const int Sha1KeyLength = 20;
    private static readonly int MaxIterationDigits =
        PasswordHashingOptions.MaxIterations.ToString(CultureInfo.InvariantCulture).Length;

    private readonly byte[] _dummySalt;
    private readonly byte[] _dummyKey;

    /// <summary>Creates a hasher producing hashes with <see cref="PasswordHashingOptions.Iterations"/>.</summary>
    public DjangoPbkdf2Hasher(PasswordHashingOptions options)
        : this((options ?? throw new ArgumentNullException(nameof(options))).Iterations)
    {
    }

    /// <summary>Creates a hasher producing hashes with <paramref name="iterations"/> iterations.</summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// Outside [<see cref="PasswordHashingOptions.MinIterations"/>, <see cref="PasswordHashingOptions.MaxIterations"/>].
    /// </exception>
    public DjangoPbkdf2Hasher(int iterations)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, PasswordHashingOptions.MinIterations);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(iterations, PasswordHashingOptions.MaxIterations);
        Iterations = iterations;
        _dummySalt = System.Text.Encoding.ASCII.GetBytes(RandomNumberGenerator.GetString(SaltAlphabet, SaltLength));
        _dummyKey = RandomNumberGenerator.GetBytes(Sha256KeyLength);
    }

    /// <summary>The iteration count of new hashes; stored hashes with fewer are flagged for rehash.</summary>
    public int Iterations { get; }

    /// <summary>Hashes <paramref name="password"/> with a fresh 22-character salt and <see cref="Iterations"/>.</summary>
    /// <exception cref="ArgumentException">The password is not valid UTF-16 (a lone surrogate): it has no UTF-8 form.</exception>
    public string Hash(string password) =>
        Encode(password, RandomNumberGenerator.GetString(SaltAlphabet, SaltLength), Iterations);

    /// <summary>Django's <c>PBKDF2PasswordHasher.encode(password, salt, iterations)</c>.</summary>
    internal static string Encode(string password, string salt, int iterations)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentException.ThrowIfNullOrEmpty(salt);
        if (salt.Contains('$', StringComparison.Ordinal))
        {
            throw new ArgumentException("The salt must not contain '$'.", nameof(salt));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(iterations, PasswordHashingOptions.MaxIterations);
        if (!TryGetUtf8(salt, out var saltBytes))
        {
            throw new ArgumentException("The salt is not valid UTF-16.", nameof(salt));
        }

        Span<byte> key = stackalloc byte[Sha256KeyLength];
        if (!TryDerive(password, saltBytes, iterations, HashAlgorithmName.SHA256, key))
        {
            throw new ArgumentException("The password is not valid UTF-16 (it contains a lone surrogate).", nameof(password));
        }

        var encoded = string.Create(
            CultureInfo.InvariantCulture,
            $"{Algorithm}${iterations}${salt}${Convert.ToBase64String(key)}");
        CryptographicOperations.ZeroMemory(key);
        return encoded;
    }

    /// <summary>
    /// Checks <paramref name="password"/> against a stored Django encoding, in constant time with
    /// respect to the derived key. Never throws for a bad <paramref name="encoded"/>: null, empty,
    /// unusable (<c>!…</c>), unknown algorithm, non-canonical or out-of-range iterations
    /// (above <see cref="PasswordHashingOptions.MaxIterations"/>), bad base64 all give
    /// <see cref="PasswordVerification.Failed"/> after the cost of a dummy verification.
    /// </summary>
    public PasswordVerification Verify(string password, string? encoded)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (!TryParse(encoded, out var stored))
        {
            VerifyDummy(password);
            return PasswordVerification.Failed;
        }

        Span<byte> derived = stackalloc byte[stored.Key.Length];
        if (!TryDerive(password, stored.Salt, stored.Iterations, stored.HashAlgorithm, derived))
        {
            // A lone surrogate has no UTF-8 form: Django could not have hashed it.
            VerifyDummy(password);
            return PasswordVerification.Failed;
        }

        var match = CryptographicOperations.FixedTimeEquals(derived, stored.Key);
        CryptographicOperations.ZeroMemory(derived);
        if (!match)
        {
            HardenRuntime(password, stored);
            return PasswordVerification.Failed;
        }

        var mustUpdate = !stored.IsPreferredAlgorithm
            || stored.Iterations < Iterations
            || stored.SaltCharacters < SaltLength;
        return mustUpdate ? PasswordVerification.SuccessRehashNeeded : PasswordVerification.Success;
    }

    /// <summary>
    /// Spends what a verification at <see cref="Iterations"/> costs, for a login naming an unknown
    /// user, so that timing does not tell whether the user exists. Always "fails".
    /// </summary>
    public void VerifyDummy(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        Span<byte> derived = stackalloc byte[Sha256KeyLength];
        if (!TryDerive(password, _dummySalt, Iterations, HashAlgorithmName.SHA256, derived))
        {
            Rfc2898DeriveBytes.Pbkdf2(ReadOnlySpan<byte>.Empty, _dummySalt, derived, Iterations, HashAlgorithmName.SHA256);
        }

        _ = CryptographicOperations.FixedTimeEquals(derived, _dummyKey);
        CryptographicOperations.ZeroMemory(derived);
    }

    /// <summary>Django's <c>make_password(None)</c>: <c>!</c> followed by 40 random characters; never verifies.</summary>
    public static string CreateUnusablePassword() =>
        UnusablePasswordPrefix + RandomNumberGenerator.GetString(SaltAlphabet, UnusablePasswordSuffixLength);

    /// <summary>True when <paramref name="encoded"/> is a value Django marks unusable (starts with <c>!</c>).</summary>
    public static bool IsUnusablePassword(string? encoded) =>
        encoded is not null && encoded.StartsWith(UnusablePasswordPrefix);

    /// <summary>
    /// Django's <c>harden_runtime</c>: a failed check against a hash with fewer iterations than
    /// configured runs the difference, so that old and new hashes fail in the same time.
    /// </summary>
    private void HardenRuntime(string password, in StoredHash stored)
    {
        var extra = Iterations - stored.Iterations;
        if (extra <= 0)
        {
            return;
        }

        Span<byte> scratch = stackalloc byte[stored.Key.Length];
        _ = TryDerive(password, stored.Salt, extra, stored.HashAlgorithm, scratch);
        CryptographicOperations.ZeroMemory(scratch);
    }

    /// <summary>PBKDF2 over the strict UTF-8 of <paramref name="password"/>; false (no work) if it has none.</summary>
    private static bool TryDerive(string password, ReadOnlySpan<byte> salt, int iterations, HashAlgorithmName algorithm, Span<byte> destination)
    {
        var capacity = checked((password.Length + 1) * 3);
        var buffer = ArrayPool<byte>.Shared.Rent(capacity);
        try
        {
            var status = Utf8.FromUtf16(password, buffer, out _, out var written, replaceInvalidSequences: false);
            if (status != OperationStatus.Done)
            {
                return false;
            }

            Rfc2898DeriveBytes.Pbkdf2(buffer.AsSpan(0, written), salt, destination, iterations, algorithm);
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer.AsSpan(0, capacity));
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static bool TryGetUtf8(string text, out byte[] bytes)
    {
        var buffer = new byte[checked((text.Length + 1) * 3)];
        var status = Utf8.FromUtf16(text, buffer, out _, out var written, replaceInvalidSequences: false);
        bytes = status == OperationStatus.Done ? buffer.AsSpan(0, written).ToArray() : [];
        return status == OperationStatus.Done;
    }

    /// <summary>
    /// Parses <c>algorithm$iterations$salt$hash</c> as Django's <c>encoded.split("$", 3)</c> does,
    /// accepting only what Django's own <c>encode</c> would have produced (Django verifies by
    /// re-encoding and comparing the whole string): canonical decimal iterations, non-empty salt,
    /// canonical padded base64 of the right length.
    /// </summary>
    private static bool TryParse(string? encoded, out StoredHash stored)
    {
        stored = default;
        if (string.IsNullOrEmpty(encoded) || encoded[0] == UnusablePasswordPrefix)
        {
            return false;
        }

        var first = encoded.IndexOf('$', StringComparison.Ordinal);
        var second = first < 0 ? -1 : encoded.IndexOf('$', first + 1);
        var third = second < 0 ? -1 : encoded.IndexOf('$', second + 1);
        if (third < 0)
        {
            return false;
        }

        var algorithm = encoded.AsSpan(0, first);
        var iterationsText = encoded.AsSpan(first + 1, second - first - 1);
        var saltText = encoded.Substring(second + 1, third - second - 1);
        var hashText = encoded.AsSpan(third + 1);

        HashAlgorithmName hashAlgorithm;
        int keyLength;
        bool preferred;
        if (algorithm.SequenceEqual(Algorithm))
        {
            (hashAlgorithm, keyLength, preferred) = (HashAlgorithmName.SHA256, Sha256KeyLength, true);
        }
        else if (algorithm.SequenceEqual(Sha1Algorithm))
        {
            (hashAlgorithm, keyLength, preferred) = (HashAlgorithmName.SHA1, Sha1KeyLength, false);
        }
        else
        {
            return false;
        }

        if (!TryParseIterations(iterationsText, out var iterations)
            || saltText.Length == 0
            || !TryGetUtf8(saltText, out var salt)
            || !TryDecodeKey(hashText, keyLength, out var key))
        {
            return false;
        }

        var saltCharacters = 0;
        foreach (var _ in saltText.EnumerateRunes())
        {
            saltCharacters++;
        }

        stored = new StoredHash(hashAlgorithm, preferred, iterations, salt, saltCharacters, key);
        return true;
    }

    /// <summary>Only what Python's <c>str(int)</c> prints: ASCII digits, no sign, no leading zero, 1..max.</summary>
    private static bool TryParseIterations(ReadOnlySpan<char> text, out int iterations)
    {
        iterations = 0;
        if (text.Length == 0 || text.Length > MaxIterationDigits || text[0] == '0')
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            iterations = (iterations * 10) + (c - '0');
        }

        return iterations <= PasswordHashingOptions.MaxIterations;
    }

    /// <summary>Strict, canonical, padded standard base64 of exactly <paramref name="keyLength"/> bytes.</summary>
    private static bool TryDecodeKey(ReadOnlySpan<char> text, int keyLength, out byte[] key)
    {
        key = [];
        var expectedChars = (keyLength + 2) / 3 * 4;
        if (text.Length != expectedChars)
        {
            return false;
        }

        var buffer = new byte[keyLength];
        if (!Convert.TryFromBase64Chars(text, buffer, out var written) || written != keyLength)
        {
            return false;
        }

        // Reject non-canonical spellings (stray bits in the last character, embedded whitespace):
        // Django compares whole strings, so it would reject them too.
        Span<char> canonical = stackalloc char[expectedChars];
        if (!Convert.TryToBase64Chars(buffer, canonical, out var charsWritten)
            || !canonical[..charsWritten].SequenceEqual(text))
        {
            return false;
        }

        key = buffer;
        return true;
    }

    private readonly record struct StoredHash(
        HashAlgorithmName HashAlgorithm,
        bool IsPreferredAlgorithm,
        int Iterations,
        byte[] Salt,
        int SaltCharacters,
        byte[] Key);
}
