using System.Security.Cryptography;
using System.Text;
using Tessera.Core.Credentials;

namespace Tessera.Core.Jwt;

/// <summary>
/// HS256. The key is the UTF-8 encoding of the configured secret, exactly what PyJWT does with
/// SimpleJWT's SIGNING_KEY, so tokens interoperate with SimpleJWT services sharing the secret.
/// </summary>
internal sealed class HmacSha256SigningKey : JwsSigningKey
{
    public const string AlgorithmName = "HS256";
    private const int MacSize = KeyedHmacSha256.MacSize;

    // One keyed HMAC per thread, reused: the one-shot builds a keyed OpenSSL context per call (see KeyedHmacSha256).
    private readonly KeyedHmacSha256 _mac;

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

        _mac = new KeyedHmacSha256(key);
    }

    public override string Algorithm => AlgorithmName;

    public override int SignatureSize => MacSize;

    public override bool TrySign(ReadOnlySpan<byte> input, Span<byte> signature, out int written)
    {
        if (signature.Length < MacSize)
        {
            written = 0;
            return false;
        }

        _mac.Compute(input, signature);
        written = MacSize;
        return true;
    }

    public override bool Verify(ReadOnlySpan<byte> input, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != MacSize)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[MacSize];
        _mac.Compute(input, expected);
        return FixedTime.Equals(expected, signature);
    }
}
