using System.Security.Cryptography;

namespace Tessera.Core.Jwt;

/// <summary>
/// RS256: RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 §3.3), 2048 to 4096 bits (2048 generated).
/// <see cref="RSA"/> instances are not documented as safe for concurrent use, so each call rents
/// one from a pool of copies of the key.
/// </summary>
internal sealed class RsaSigningKey : JwsSigningKey
{
    public const string AlgorithmName = "RS256";
    public const int GeneratedKeySize = 2048;
    public const int MinKeySize = 2048; // RFC 7518 §3.3
    public const int MaxKeySize = 4096; // a signature fits the codec's stack buffer

    private readonly InstancePool<RSA> _pool;
    private readonly Dictionary<string, string> _jwk;
    private readonly int _size;

    private RsaSigningKey(string keyId, RSA rsa, Func<RSA> create, bool hasPrivateKey)
        : base(keyId)
    {
        if (rsa.KeySize is < MinKeySize or > MaxKeySize || rsa.KeySize % 8 != 0)
        {
            rsa.Dispose();
            throw new CryptographicException($"An RS256 key must have {MinKeySize} to {MaxKeySize} bits.");
        }

        RSAParameters parameters = rsa.ExportParameters(includePrivateParameters: false);
        _size = parameters.Modulus!.Length;
        _jwk = JsonWebKeys.Describe("RSA", AlgorithmName, keyId,
            ("n", StrictBase64Url.Encode(parameters.Modulus)), ("e", StrictBase64Url.Encode(parameters.Exponent)));
        HasPrivateKey = hasPrivateKey;
        _pool = new InstancePool<RSA>(rsa, create);
    }

    public override string Algorithm => AlgorithmName;

    public override int SignatureSize => _size;

    public override bool HasPrivateKey { get; }

    public override IReadOnlyDictionary<string, string> PublicJwk => _jwk;

    public static RsaSigningKey Generate(string keyId)
    {
        using var generated = RSA.Create(GeneratedKeySize);
        return ImportPkcs8(keyId, generated.ExportPkcs8PrivateKey());
    }

    public static RsaSigningKey ImportPkcs8(string keyId, ReadOnlySpan<byte> pkcs8)
    {
        byte[] copy = pkcs8.ToArray();
        RSA Create()
        {
            var rsa = RSA.Create();
            try
            {
                rsa.ImportPkcs8PrivateKey(copy, out int read);
                if (read != copy.Length)
                {
                    throw new CryptographicException("Trailing data after the PKCS#8 key.");
                }

                return rsa;
            }
            catch
            {
                rsa.Dispose();
                throw;
            }
        }

        return new RsaSigningKey(keyId, Create(), Create, hasPrivateKey: true);
    }

    public static RsaSigningKey ImportPublic(string keyId, byte[] modulus, byte[] exponent)
    {
        var parameters = new RSAParameters { Modulus = modulus, Exponent = exponent };
        return new RsaSigningKey(keyId, RSA.Create(parameters), () => RSA.Create(parameters), hasPrivateKey: false);
    }

    public override bool TrySign(ReadOnlySpan<byte> input, Span<byte> signature, out int written)
    {
        if (!HasPrivateKey)
        {
            throw new InvalidOperationException("This RS256 key has no private key: it only verifies.");
        }

        RSA rsa = _pool.Rent();
        try
        {
            return rsa.TrySignData(input, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1, out written);
        }
        finally
        {
            _pool.Return(rsa);
        }
    }

    public override bool Verify(ReadOnlySpan<byte> input, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != _size)
        {
            return false;
        }

        RSA rsa = _pool.Rent();
        try
        {
            return rsa.VerifyData(input, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        finally
        {
            _pool.Return(rsa);
        }
    }

    public override byte[] ExportPrivateKey()
    {
        if (!HasPrivateKey)
        {
            throw new InvalidOperationException("This RS256 key has no private key.");
        }

        RSA rsa = _pool.Rent();
        try
        {
            return rsa.ExportPkcs8PrivateKey();
        }
        finally
        {
            _pool.Return(rsa);
        }
    }
}
