using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Tessera.Core.Jwt;

/// <summary>
/// One key and the one algorithm it may be used with (RFC 8725 §3.1: the algorithm is pinned to
/// the key, never taken from the token): HS256 (a shared secret), RS256, ES256, EdDSA (Ed25519).
/// Implementations must be thread-safe: one instance serves every request.
/// </summary>
public abstract class JwsSigningKey
{
    protected JwsSigningKey(string? keyId)
    {
        KeyId = keyId;
    }

    /// <summary>The JWS <c>alg</c> value, e.g. "HS256".</summary>
    public abstract string Algorithm { get; }

    /// <summary>The <c>kid</c> written into headers and required of tokens, or null for none.</summary>
    public string? KeyId { get; }

    /// <summary>Size in bytes of a signature (exact for MAC/EdDSA/ECDSA, modulus size for RSA).</summary>
    public abstract int SignatureSize { get; }

    /// <summary>
    /// True when this key can sign; false for a public key (read from a JWKS), which only verifies.
    /// A symmetric key always can.
    /// </summary>
    public virtual bool HasPrivateKey => true;

    /// <summary>Signs <paramref name="input"/>; false only if <paramref name="signature"/> is too small.</summary>
    /// <exception cref="InvalidOperationException">The key has no private key (<see cref="HasPrivateKey"/>).</exception>
    public abstract bool TrySign(ReadOnlySpan<byte> input, Span<byte> signature, out int written);

    /// <summary>Checks a signature without leaking, through timing, how much of it matched.</summary>
    public abstract bool Verify(ReadOnlySpan<byte> input, ReadOnlySpan<byte> signature);

    /// <summary>
    /// The public key as a JWK (RFC 7517) for <c>/.well-known/jwks.json</c>: public members only
    /// (<c>kty</c>, <c>use</c> "sig", <c>alg</c>, <c>kid</c>, and <c>n</c>,<c>e</c> | <c>crv</c>,<c>x</c>,<c>y</c> |
    /// <c>crv</c>,<c>x</c>); null for a symmetric key, which is a secret and never published.
    /// </summary>
    public virtual IReadOnlyDictionary<string, string>? PublicJwk => null;

    /// <summary>The private key as PKCS#8 DER, for storing it (sealed) and loading it again with <see cref="ImportPrivateKey"/>.</summary>
    /// <exception cref="InvalidOperationException">No private key, or a symmetric key (not PKCS#8 material).</exception>
    public virtual byte[] ExportPrivateKey()
        => throw new InvalidOperationException($"A {Algorithm} key has no exportable private key.");

    /// <summary>True for the algorithms with a public/private key pair: RS256, ES256, EdDSA.</summary>
    public static bool IsAsymmetric(string algorithm) => algorithm is
        RsaSigningKey.AlgorithmName or EcdsaSigningKey.AlgorithmName or Ed25519SigningKey.AlgorithmName;

    /// <summary>A new key pair: RS256 (RSA 2048), ES256 (P-256) or EdDSA (Ed25519), named <paramref name="keyId"/>.</summary>
    public static JwsSigningKey Generate(string algorithm, string keyId)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        return algorithm switch
        {
            RsaSigningKey.AlgorithmName => RsaSigningKey.Generate(keyId),
            EcdsaSigningKey.AlgorithmName => EcdsaSigningKey.Generate(keyId),
            Ed25519SigningKey.AlgorithmName => Ed25519SigningKey.Generate(keyId),
            _ => throw new ArgumentException($"'{algorithm}' is not an asymmetric JWS algorithm (RS256, ES256, EdDSA).", nameof(algorithm)),
        };
    }

    /// <summary>
    /// A signing key from its PKCS#8 DER (as <see cref="ExportPrivateKey"/> wrote it), bound to
    /// <paramref name="algorithm"/>; throws <see cref="System.Security.Cryptography.CryptographicException"/>
    /// when the key is not of that algorithm's type (or an RSA key outside 2048..4096 bits).
    /// </summary>
    public static JwsSigningKey ImportPrivateKey(string algorithm, string keyId, ReadOnlySpan<byte> pkcs8)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        return algorithm switch
        {
            RsaSigningKey.AlgorithmName => RsaSigningKey.ImportPkcs8(keyId, pkcs8),
            EcdsaSigningKey.AlgorithmName => EcdsaSigningKey.ImportPkcs8(keyId, pkcs8),
            Ed25519SigningKey.AlgorithmName => Ed25519SigningKey.ImportPkcs8(keyId, pkcs8),
            _ => throw new ArgumentException($"'{algorithm}' is not an asymmetric JWS algorithm (RS256, ES256, EdDSA).", nameof(algorithm)),
        };
    }

    /// <summary>
    /// A verify-only key from a public JWK (an entry of a JWKS). Strict: false for <c>oct</c>, an
    /// unknown or missing <c>alg</c>/<c>kty</c>/<c>crv</c>, an <c>alg</c> that does not fit the key
    /// type, a missing <c>kid</c>, <c>use</c> other than "sig", members of the wrong length or
    /// encoding, a point not on the curve, and any private member (<c>d</c>, <c>p</c>, <c>q</c>, ...):
    /// a JWKS that publishes a private key is broken, and trusting its key would trust anyone who read it.
    /// </summary>
    public static bool TryImportPublicJwk(JsonElement jwk, [NotNullWhen(true)] out JwsSigningKey? key)
        => JsonWebKeys.TryImportPublic(jwk, out key);

    public static JwsSigningKey FromOptions(JwtOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(options.SigningKey))
        {
            throw new ArgumentException($"{JwtOptions.SectionName}:SigningKey is required.", nameof(options));
        }

        return options.Algorithm switch
        {
            HmacSha256SigningKey.AlgorithmName => new HmacSha256SigningKey(options.SigningKey),
            _ => throw new ArgumentException($"Unsupported JWS algorithm '{options.Algorithm}'.", nameof(options)),
        };
    }

    /// <summary>
    /// Whether <paramref name="other"/> is this same key: the same instance, or (for a key pair,
    /// which can be loaded again into a new instance) the same kid, algorithm and public key.
    /// </summary>
    internal bool IsSameKey(JwsSigningKey other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (KeyId is null || KeyId != other.KeyId || Algorithm != other.Algorithm
            || PublicJwk is not { } mine || other.PublicJwk is not { } theirs || mine.Count != theirs.Count)
        {
            return false;
        }

        foreach (var (name, value) in mine)
        {
            if (!theirs.TryGetValue(name, out var otherValue) || otherValue != value)
            {
                return false;
            }
        }

        return true;
    }
}
