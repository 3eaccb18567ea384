using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;
using Tessera.AspNetCore.Authentication;

namespace Tessera.AspNetCore.RealTime;

/// <summary>An accepted WebSocket of a <c>MapTesseraWebSocket</c> endpoint, with the user its handshake admitted.</summary>
public sealed class TesseraWebSocketContext
{
    internal TesseraWebSocketContext(WebSocket webSocket, AuthenticatedUser user, HttpContext httpContext, CancellationToken accessEnded)
        => (WebSocket, User, HttpContext, AccessEnded) = (webSocket, user, httpContext, accessEnded);

    /// <summary>The accepted socket. Tessera closes it when the access ends, and when the handler returns.</summary>
    public WebSocket WebSocket { get; }

    /// <summary>The admitted user of the handshake, with what its credential proved.</summary>
    public AuthenticatedUser User { get; }

    /// <summary>The handshake's request.</summary>
    public HttpContext HttpContext { get; }

    /// <summary>
    /// Fires when the login ends (on any instance), the credential expires, or the endpoint stops
    /// admitting the user; by then Tessera has sent the close frame (4401 <c>token_revoked</c>, 4401
    /// <c>token_expired</c>, 4403 <c>permission_denied</c>). A handler stops its work and returns.
    /// </summary>
    public CancellationToken AccessEnded { get; }
}
