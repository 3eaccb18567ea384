using Tessera.Core.Credentials;
using Tessera.Core.Revocation;

namespace Tessera.Core.OpaqueTokens;

public interface IOpaqueTokenStore : IExpiringRecords, IStoredCredentialStore<OpaqueToken>
{
    /// <summary>
    /// Adds the token while its user's revocation epoch is still <see cref="OpaqueToken.Epoch"/>; false,
    /// and nothing written, when a password change, revoke-all or deactivation committed since the
    /// login's password check read it.
    /// </summary>
    Task<bool> AddAsync(OpaqueToken token, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<OpaqueToken>> ListAsync(long userId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes the user's tokens with this prefix and revokes their logins, one transaction; the
    /// committed events (one per token), to publish; none when the user has no such token.
    /// </summary>
    Task<IReadOnlyList<AdmissionChange>> DeleteAsync(long userId, string prefix, DateTimeOffset now, CancellationToken cancellationToken = default);
}
