using System.Text.Encodings.Web;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tessera.Core.Admission;
using Tessera.Core.Credentials;
using Tessera.Core.Sessions;

namespace Tessera.AspNetCore.Authentication.Session;

/// <summary>
/// DRF's SessionAuthentication: the <c>sessionid</c> cookie names a server-side session; unsafe
/// methods must also pass the CSRF check. A cookie naming no live session is no credential (a
/// browser keeps stale cookies), as in Django.
/// </summary>
public sealed class SessionAuthenticationHandler(
    IOptionsMonitor<SessionAuthenticationOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ISessionStore sessions,
    TimeProvider time)
    : TesseraAuthenticationHandler<SessionAuthenticationOptions>(options, logger, encoder)
{
    protected override async ValueTask<ProofResult> ProveAsync()
    {
        if (!Request.Cookies.TryGetValue(Options.CookieName, out var key) || !SessionKeys.IsWellFormed(key))
            return ProofResult.NoCredentials;
        var session = await sessions.FindAsync(OpaqueSecret.Hash(key!), time.GetUtcNow(), Context.RequestAborted).ConfigureAwait(false);
        if (session is null)
            return ProofResult.NoCredentials;
        if (!Csrf.IsSafe(Request.Method) && Csrf.Check(Context, Options) is { } refused)
            return ProofResult.Fail(refused);
        return ProofResult.Proven(
            new LoginProof(session.UserId, TesseraSchemes.Session, DateTimeOffset.FromUnixTimeSeconds(session.ExpiresAt), Epoch: session.Epoch), session);
    }
}
