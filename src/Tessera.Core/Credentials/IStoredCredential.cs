using Tessera.Core.Revocation;

namespace Tessera.Core.Credentials;

/// <summary>
/// What admission needs of a stored credential's row (a session, a DRF token, an API key): the
/// three kinds differ in their wire format and endpoints, not in how a request holding one is let in.
/// </summary>
public interface IStoredCredential
{
    /// <summary>The SHA-256 of the secret (<see cref="OpaqueSecret.Hash"/>), the row's key.</summary>
    string KeyHash { get; }

    long UserId { get; }

    /// <summary>Unix seconds.</summary>
    long CreatedAt { get; }

    /// <summary>Unix seconds, or null for a credential that lives until revoked.</summary>
    long? ExpiresAt { get; }

    /// <summary>The revocation epoch its login's password check read; null for credentials that outlive password changes (API keys).</summary>
    long? Epoch { get; }
}

internal static class StoredCredentialExtensions
{
    /// <summary>
    /// The credential's login, as the revocation model knows logins: deleting the credential revokes
    /// it, so every instance refuses a copy it still remembers (<see cref="RememberedCredentials"/>).
    /// </summary>
    public static LoginId Login(this IStoredCredential credential) => LoginId.OfStoredCredential(credential.KeyHash, credential.CreatedAt);

    public static bool IsExpiredAt(this IStoredCredential credential, DateTimeOffset now)
        => credential.ExpiresAt is { } at && at <= now.ToUnixTimeSeconds();

    /// <summary>
    /// How long a revocation of the credential must be kept: until it expires, and no longer than any
    /// instance may remember it (<see cref="RememberedCredentials.RevocationHorizon"/>); after that a
    /// copy is read again, and the row is gone.
    /// </summary>
    public static DateTimeOffset RevokedUntil(this IStoredCredential credential, DateTimeOffset now)
    {
        var horizon = now + RememberedCredentials.RevocationHorizon;
        return credential.ExpiresAt is { } at && DateTimeOffset.FromUnixTimeSeconds(at) < horizon ? DateTimeOffset.FromUnixTimeSeconds(at) : horizon;
    }
}
