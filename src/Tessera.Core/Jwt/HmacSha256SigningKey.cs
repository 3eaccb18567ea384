using System.Security.Cryptography;
using System.Text;

namespace Tessera.Core.Jwt;

/// <summary>
/// HS256. The key is the UTF-8 encoding of the configured secret, exactly what PyJWT does with
/// SimpleJWT's SIGNING_KEY, so tokens interoperate with SimpleJWT services sharing the secret.
/// </summary>
public sealed class HmacSha256SigningKey : JwsSigningKey
{
    public const string AlgorithmName = "HS256";
    private const int MacSize = HMACSHA256.HashSizeInBytes;

    private readonly byte[] _key;

    public HmacSha256SigningKey(string secret, string? keyId = null)
        : this(Encoding.UTF8.GetBytes(secret ?? throw new ArgumentNullException(nameof(secret))), keyId)
    {
    }

    public HmacSha256SigningKey(ReadOnlySpan<byte> key, string? keyId = null)
        : base(keyId)
    {
        if (key.IsEmpty)
        {
            throw new ArgumentException("An HMAC key must not be empty.", nameof(key));
        }

        _key = key.ToArray();
    }

    public override string Algorithm => AlgorithmName;

    public override int SignatureSize => MacSize;

    public override bool TrySign(ReadOnlySpan<byte> input, Span<byte> signature, out int written)
        // The static one-shot keeps no shared mutable state, so concurrent requests are safe.
        => HMACSHA256.TryHashData(_key, input, signature, out written);

    public override bool Verify(ReadOnlySpan<byte> input, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != MacSize)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[MacSize];
        HMACSHA256.HashData(_key, input, expected);
        return CryptographicOperations.FixedTimeEquals(expected, signature);
    }
}
