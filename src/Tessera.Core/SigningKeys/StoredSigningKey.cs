namespace Tessera.Core.SigningKeys;

/// <summary>
/// One asymmetric signing key of the deployment's key ring, as every instance reads it from the
/// database: its public half in the clear (the JWKS publishes it), its private half sealed by the
/// protection key from configuration, so a copy of the database alone cannot mint a token.
/// </summary>
public sealed class StoredSigningKey
{
    public const int KeyIdMaxLength = 64;
    public const int AlgorithmMaxLength = 16;

    /// <summary>The <c>kid</c> in every token it signs and in the JWKS: random, never reused.</summary>
    public required string KeyId { get; set; }

    /// <summary>The one JWS algorithm this key is used with (RS256, ES256, EdDSA): RFC 8725 §3.1.</summary>
    public required string Algorithm { get; set; }

    /// <summary>
    /// Its place in the rotation schedule, unique: the instances that decide at the same moment that
    /// the next key is due all try to insert the same generation, and one wins.
    /// </summary>
    public long Generation { get; set; }

    /// <summary>The public key as a JWK (JSON), public members only.</summary>
    public required string PublicJwk { get; set; }

    /// <summary>The private key, sealed (authenticated encryption under the protection key, bound to the kid and algorithm).</summary>
    public required byte[] ProtectedPrivateKey { get; set; }

    /// <summary>Unix seconds. Published in the JWKS from here.</summary>
    public long CreatedAt { get; set; }

    /// <summary>Unix seconds. Signs from here, until the next generation signs: published ahead, so verifiers' cached JWKS know it first.</summary>
    public long SignsFrom { get; set; }

    /// <summary>
    /// Unix seconds, or null while it may still sign: after this no token it signed can still be
    /// valid, so it is no longer published, verifies nothing, and its row may be swept.
    /// </summary>
    public long? ExpiresAt { get; set; }

    /// <summary>Unix seconds when an operator retired it (a compromised key): it verifies nothing from then on, on every instance.</summary>
    public long? RetiredAt { get; set; }
}
