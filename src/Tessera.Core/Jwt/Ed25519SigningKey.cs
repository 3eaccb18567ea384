using System.Security.Cryptography;
using NSec.Cryptography;

namespace Tessera.Core.Jwt;

/// <summary>
/// EdDSA with Ed25519 (RFC 8037), through NSec (libsodium): the BCL has no Ed25519. libsodium's
/// signing and verification keep no state between calls, and NSec's keys are immutable, so one
/// instance serves concurrent calls as it is.
/// </summary>
internal sealed class Ed25519SigningKey : JwsSigningKey
{
    public const string AlgorithmName = "EdDSA";
    public const string CurveName = "Ed25519";
    public const int PublicKeySize = 32;
    private const int Size = 64;

    private static readonly SignatureAlgorithm Ed25519 = SignatureAlgorithm.Ed25519;
    // The private key is stored (sealed) by the app, so it must be exportable.
    private static KeyCreationParameters Exportable => new() { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };

    private readonly Key? _private;
    private readonly PublicKey _public;
    private readonly Dictionary<string, string> _jwk;

    private Ed25519SigningKey(string keyId, Key? privateKey, PublicKey publicKey)
        : base(keyId)
    {
        _private = privateKey;
        _public = publicKey;
        _jwk = JsonWebKeys.Describe("OKP", AlgorithmName, keyId,
            ("crv", CurveName), ("x", StrictBase64Url.Encode(publicKey.Export(KeyBlobFormat.RawPublicKey))));
    }

    public override string Algorithm => AlgorithmName;

    public override int SignatureSize => Size;

    public override bool HasPrivateKey => _private is not null;

    public override IReadOnlyDictionary<string, string> PublicJwk => _jwk;

    public static Ed25519SigningKey Generate(string keyId)
    {
        var key = Key.Create(Ed25519, Exportable);
        return new Ed25519SigningKey(keyId, key, key.PublicKey);
    }

    public static Ed25519SigningKey ImportPkcs8(string keyId, ReadOnlySpan<byte> pkcs8)
    {
        // PkixPrivateKey is RFC 8410's PKCS#8 OneAsymmetricKey for Ed25519.
        if (!Key.TryImport(Ed25519, pkcs8, KeyBlobFormat.PkixPrivateKey, out Key? key, Exportable) || key is null)
        {
            throw new CryptographicException("Not an Ed25519 private key in PKCS#8.");
        }

        return new Ed25519SigningKey(keyId, key, key.PublicKey);
    }

    /// <summary>From RFC 8032's 32-byte seed (the JWK's <c>d</c>); for tests against published vectors.</summary>
    internal static Ed25519SigningKey ImportSeed(string keyId, ReadOnlySpan<byte> seed)
    {
        var key = Key.Import(Ed25519, seed, KeyBlobFormat.RawPrivateKey, Exportable);
        return new Ed25519SigningKey(keyId, key, key.PublicKey);
    }

    /// <summary>A verify-only key from the 32-byte public key; false when it is not one.</summary>
    public static bool TryImportPublic(string keyId, ReadOnlySpan<byte> x, out Ed25519SigningKey? key)
    {
        key = null;
        if (x.Length != PublicKeySize || !PublicKey.TryImport(Ed25519, x, KeyBlobFormat.RawPublicKey, out PublicKey? publicKey) || publicKey is null)
        {
            return false;
        }

        key = new Ed25519SigningKey(keyId, null, publicKey);
        return true;
    }

    public override bool TrySign(ReadOnlySpan<byte> input, Span<byte> signature, out int written)
    {
        if (_private is null)
        {
            throw new InvalidOperationException("This EdDSA key has no private key: it only verifies.");
        }

        if (signature.Length < Size)
        {
            written = 0;
            return false;
        }

        Ed25519.Sign(_private, input, signature[..Size]);
        written = Size;
        return true;
    }

    public override bool Verify(ReadOnlySpan<byte> input, ReadOnlySpan<byte> signature)
        => signature.Length == Size && Ed25519.Verify(_public, input, signature);

    public override byte[] ExportPrivateKey()
        => _private is null
            ? throw new InvalidOperationException("This EdDSA key has no private key.")
            : _private.Export(KeyBlobFormat.PkixPrivateKey);
}
