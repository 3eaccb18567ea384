namespace Tessera.Core.OpenIdConnect;

/// <summary>
/// What a user of <see cref="DiscoveredKeys"/> decides for its authority: where it is, how long a
/// fetch may take, how often an unknown <c>kid</c> may cause one, and which keys and issuer it accepts.
/// </summary>
internal sealed record DiscoveredKeysSettings
{
    /// <summary>The authority's base URL; discovery is read from <c>{Authority}/.well-known/openid-configuration</c>.</summary>
    public required string Authority { get; init; }

    /// <summary>Refuse a <c>jwks_uri</c> over plain http.</summary>
    public bool RequireHttpsMetadata { get; init; } = true;

    /// <summary>The longest wait for discovery and the JWKS together.</summary>
    public required TimeSpan BackchannelTimeout { get; init; }

    /// <summary>The shortest time between two fetches caused by tokens naming an unknown <c>kid</c>, and between two attempts to refresh expired keys.</summary>
    public required TimeSpan KeyRefreshCooldown { get; init; }

    /// <summary>The algorithms a key may have; null: every one Tessera verifies with a public key (RS256, ES256, EdDSA).</summary>
    public IReadOnlySet<string>? Algorithms { get; init; }

    /// <summary>
    /// A key without <c>alg</c> gets the one algorithm Tessera has for its type (Microsoft's JWKS leaves
    /// <c>alg</c> out); false: such a key is skipped.
    /// </summary>
    public bool InferMissingAlgorithm { get; init; }

    /// <summary>Whether the discovery document's <c>issuer</c> may be trusted; null: any non-empty one (the caller pins tokens to it).</summary>
    public Func<string, bool>? AcceptsIssuer { get; init; }

    /// <summary>
    /// A <c>kid</c> never to let into the ring, however often the JWKS lists it (a retired key); null:
    /// none. Asked under the lock <see cref="DiscoveredKeys.Remove"/> takes.
    /// </summary>
    public Func<string, bool>? IsExcluded { get; init; }
}
