namespace Tessera.Core.Jwt;

/// <summary>
/// One key and the one algorithm it may be used with (RFC 8725 §3.1: the algorithm is pinned to
/// the key, never taken from the token). HS256 today; RS256/ES256/EdDSA keys slot in as subclasses.
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

    /// <summary>Signs <paramref name="input"/>; false only if <paramref name="signature"/> is too small.</summary>
    public abstract bool TrySign(ReadOnlySpan<byte> input, Span<byte> signature, out int written);

    /// <summary>Checks a signature without leaking, through timing, how much of it matched.</summary>
    public abstract bool Verify(ReadOnlySpan<byte> input, ReadOnlySpan<byte> signature);

    /// <summary>
    /// The public key as a JWK (RFC 7517) for <c>/.well-known/jwks.json</c>; null for a symmetric
    /// key, which is a secret and never published.
    /// </summary>
    public virtual IReadOnlyDictionary<string, string>? PublicJwk => null;

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
}
