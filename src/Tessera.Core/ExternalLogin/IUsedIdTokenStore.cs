using Tessera.Core.Revocation;

namespace Tessera.Core.ExternalLogin;

/// <summary>
/// The ID tokens already used to sign in or link, until they expire: each is usable once, on every
/// instance. The database every instance shares holds them (and keeps them across a restart, which a
/// cache without persistence would not).
/// </summary>
public interface IUsedIdTokenStore : IExpiringRecords
{
    /// <summary>
    /// Records a use of the token whose digest is <paramref name="digest"/> (see
    /// <see cref="ExternalIdentityClaims.TokenDigest"/>), kept until <paramref name="expiresAt"/>: true the
    /// first time, false when it was used before, decided by the store (a unique key) so that of
    /// concurrent uses exactly one is first.
    /// </summary>
    Task<bool> TryUseAsync(string digest, DateTimeOffset expiresAt, CancellationToken cancellationToken = default);
}

/// <summary>A row of <see cref="IUsedIdTokenStore"/>.</summary>
public sealed class UsedIdToken
{
    /// <summary>The length of <see cref="Digest"/>: SHA-256 in unpadded base64url.</summary>
    public const int DigestLength = 43;

    public required string Digest { get; set; }

    public DateTime ExpiresAt { get; set; }
}
