using System.Security.Cryptography;

namespace Tessera.Core.Jwt;

/// <summary>
/// ES256: ECDSA on P-256 with SHA-256 (RFC 7518 §3.4); the signature is JWS's fixed-size
/// <c>r || s</c> (64 bytes), not DER. <see cref="ECDsa"/> instances are not documented as safe for
/// concurrent use, so each call rents one from a pool of copies of the key.
/// </summary>
internal sealed class EcdsaSigningKey : JwsSigningKey
{
    public const string AlgorithmName = "ES256";
    public const string CurveName = "P-256";
    public const int CoordinateSize = 32;
    private const int Size = 2 * CoordinateSize;
    private const string P256Oid = "1.2.840.10045.3.1.7";
    private const int MaxDerSize = 2 + (2 * (2 + 1 + CoordinateSize));

    private readonly InstancePool<ECDsa> _pool;
    private readonly Dictionary<string, string> _jwk;

    private EcdsaSigningKey(string keyId, ECDsa ecdsa, Func<ECDsa> create, bool hasPrivateKey)
        : base(keyId)
    {
        ECParameters parameters = ecdsa.ExportParameters(includePrivateParameters: false);
        if (!IsP256(parameters.Curve) || parameters.Q.X!.Length != CoordinateSize || parameters.Q.Y!.Length != CoordinateSize)
        {
            ecdsa.Dispose();
            throw new CryptographicException("An ES256 key must be on the P-256 curve.");
        }

        _jwk = JsonWebKeys.Describe("EC", AlgorithmName, keyId,
            ("crv", CurveName), ("x", StrictBase64Url.Encode(parameters.Q.X)), ("y", StrictBase64Url.Encode(parameters.Q.Y)));
        HasPrivateKey = hasPrivateKey;
        _pool = new InstancePool<ECDsa>(ecdsa, create);
    }

    public override string Algorithm => AlgorithmName;

    public override int SignatureSize => Size;

    public override bool HasPrivateKey { get; }

    public override IReadOnlyDictionary<string, string> PublicJwk => _jwk;

    public static EcdsaSigningKey Generate(string keyId)
    {
        using var generated = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return ImportPkcs8(keyId, generated.ExportPkcs8PrivateKey());
    }

    public static EcdsaSigningKey ImportPkcs8(string keyId, ReadOnlySpan<byte> pkcs8)
    {
        byte[] copy = pkcs8.ToArray();
        ECDsa Create()
        {
            var ecdsa = NewInstance();
            try
            {
                ecdsa.ImportPkcs8PrivateKey(copy, out int read);
                if (read != copy.Length)
                {
                    throw new CryptographicException("Trailing data after the PKCS#8 key.");
                }

                return ecdsa;
            }
            catch
            {
                ecdsa.Dispose();
                throw;
            }
        }

        return new EcdsaSigningKey(keyId, Create(), Create, hasPrivateKey: true);
    }

    /// <summary>A verify-only key from the point's coordinates; throws when they are not a point of P-256.</summary>
    public static EcdsaSigningKey ImportPublic(string keyId, byte[] x, byte[] y)
    {
        var parameters = new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = x, Y = y } };
        ECDsa Create()
        {
            var ecdsa = NewInstance();
            try
            {
                ecdsa.ImportParameters(parameters);
                return ecdsa;
            }
            catch
            {
                ecdsa.Dispose();
                throw;
            }
        }

        return new EcdsaSigningKey(keyId, Create(), Create, hasPrivateKey: false);
    }

    public override bool TrySign(ReadOnlySpan<byte> input, Span<byte> signature, out int written)
    {
        if (!HasPrivateKey)
        {
            throw new InvalidOperationException("This ES256 key has no private key: it only verifies.");
        }

        ECDsa ecdsa = _pool.Rent();
        try
        {
            return ecdsa.TrySignData(input, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation, out written);
        }
        finally
        {
            _pool.Return(ecdsa);
        }
    }

    public override bool Verify(ReadOnlySpan<byte> input, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != Size)
        {
            return false;
        }

        // The BCL turns an r||s signature into DER on the heap (on OpenSSL) before verifying it;
        // written here on the stack, a verification allocates nothing.
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(input, hash);
        Span<byte> der = stackalloc byte[MaxDerSize];
        int derLength = WriteDer(signature[..CoordinateSize], signature[CoordinateSize..], der);

        ECDsa ecdsa = _pool.Rent();
        try
        {
            return ecdsa.VerifyHash(hash, der[..derLength], DSASignatureFormat.Rfc3279DerSequence);
        }
        finally
        {
            _pool.Return(ecdsa);
        }
    }

    public override byte[] ExportPrivateKey()
    {
        if (!HasPrivateKey)
        {
            throw new InvalidOperationException("This ES256 key has no private key.");
        }

        ECDsa ecdsa = _pool.Rent();
        try
        {
            return ecdsa.ExportPkcs8PrivateKey();
        }
        finally
        {
            _pool.Return(ecdsa);
        }
    }

    /// <summary>
    /// OpenSSL's own class on Linux: <see cref="ECDsa.Create()"/> returns a wrapper whose
    /// <c>VerifyHash</c> converts the signature between formats on the heap (1.2–1.4 KB a call,
    /// measured on .NET 10), whereas <see cref="ECDsaOpenSsl"/> verifies a DER signature in place.
    /// </summary>
    private static ECDsa NewInstance() => OperatingSystem.IsLinux() ? new ECDsaOpenSsl() : ECDsa.Create();

    /// <summary>ECDSA-Sig-Value (RFC 3279 §2.2.3): SEQUENCE { r INTEGER, s INTEGER }, in DER (minimal integers).</summary>
    private static int WriteDer(ReadOnlySpan<byte> r, ReadOnlySpan<byte> s, Span<byte> destination)
    {
        destination[0] = 0x30;
        int length = WriteInteger(r, destination[2..]);
        length += WriteInteger(s, destination[(2 + length)..]);
        destination[1] = (byte)length; // at most 2 × 35 bytes: the short form
        return 2 + length;
    }

    private static int WriteInteger(ReadOnlySpan<byte> value, Span<byte> destination)
    {
        int skip = 0;
        while (skip < value.Length - 1 && value[skip] == 0)
        {
            skip++;
        }

        value = value[skip..];
        int offset = 2;
        destination[0] = 0x02;
        if ((value[0] & 0x80) != 0)
        {
            destination[offset++] = 0; // positive
        }

        value.CopyTo(destination[offset..]);
        destination[1] = (byte)(offset - 2 + value.Length);
        return offset + value.Length;
    }

    private static bool IsP256(ECCurve curve)
        => curve.IsNamed && (curve.Oid.Value == P256Oid || curve.Oid.FriendlyName is "nistP256" or "ECDSA_P256" or "prime256v1" or "secp256r1");
}
