using Tessera.Core.Credentials;
using Tessera.Core.Revocation;

namespace Tessera.Core.Sessions;

public interface ISessionStore : IExpiringRecords, IStoredCredentialStore<ServerSession>
{
    /// <summary>
    /// Adds the session while its user's revocation epoch is still <see cref="ServerSession.Epoch"/>;
    /// false, and nothing written, when a password change, revoke-all or deactivation committed since
    /// the login's password check read it.
    /// </summary>
    Task<bool> AddAsync(ServerSession session, CancellationToken cancellationToken = default);

    /// <summary>
    /// Django's <c>flush</c>: the session is gone and its login revoked (<see cref="Credentials.StoredCredentialExtensions.Login"/>),
    /// one transaction; the committed event, to publish, or null when there was no session.
    /// </summary>
    Task<AdmissionChange?> DeleteAsync(string keyHash, DateTimeOffset now, CancellationToken cancellationToken = default);
}
