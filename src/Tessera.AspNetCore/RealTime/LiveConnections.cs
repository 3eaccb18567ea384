using Microsoft.AspNetCore.Http;
using Tessera.AspNetCore.Authentication;

namespace Tessera.AspNetCore.RealTime;

/// <summary>A long-lived connection (a WebSocket, a SignalR connection) that ends when its access does.</summary>
internal interface ILiveConnection
{
    /// <summary>Ends the connection for this reason; called at most once, and must return at once.</summary>
    void End(LiveConnectionEnd end);
}

/// <summary>Why a live connection was ended by Tessera, as a WebSocket close code and reason.</summary>
internal sealed record LiveConnectionEnd(int CloseCode, string Reason)
{
    /// <summary>Its login ended (logout, revoke-all, password change, deactivation, credential deleted, signing key retired).</summary>
    public static readonly LiveConnectionEnd TokenRevoked = new(4401, "token_revoked");

    /// <summary>The credential that opened it expired.</summary>
    public static readonly LiveConnectionEnd TokenExpired = new(4401, "token_expired");

    /// <summary>The user is still admitted, but the endpoint's policy no longer admits them (e.g. staff removed).</summary>
    public static readonly LiveConnectionEnd PermissionDenied = new(4403, "permission_denied");
}

/// <summary>
/// Every open live connection of this instance, indexed by login and by user, each ended by the
/// admission changes that concern it (<c>AppliedAdmissionChanges</c>) and by its credential's expiry.
/// </summary>
internal sealed partial class LiveConnections
{
    /// <summary>
    /// Follows <paramref name="connection"/> until the result is disposed: ended once when the login
    /// behind <paramref name="user"/> ends, its credential expires, or the endpoint of
    /// <paramref name="context"/> no longer admits the user.
    /// </summary>
    public IDisposable Register(HttpContext context, AuthenticatedUser user, ILiveConnection connection)
        => throw new NotImplementedException("issue 23: the sockets helper builds this");
}
