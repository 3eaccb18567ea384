using Tessera.Core.Credentials;

namespace Tessera.Core.Sessions;

/// <summary>
/// A browser login held on the server (Django's sessions). The cookie carries a random session key;
/// the table holds only the key's SHA-256, so a leaked table cannot be replayed as cookies.
/// </summary>
public sealed class ServerSession : IStoredCredential
{
    public required string KeyHash { get; set; }
    public long UserId { get; set; }
    /// <summary>Unix seconds.</summary>
    public long CreatedAt { get; set; }
    /// <summary>Unix seconds; the session is void after it and swept.</summary>
    public long ExpiresAt { get; set; }
    /// <summary>The user's revocation epoch that the login's password check read (<see cref="Users.User.RevocationEpoch"/>).</summary>
    public long Epoch { get; set; }

    long? IStoredCredential.ExpiresAt => ExpiresAt;

    long? IStoredCredential.Epoch => Epoch;
}
