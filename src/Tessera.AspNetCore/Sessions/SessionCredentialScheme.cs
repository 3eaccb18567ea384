using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Tessera.AspNetCore.Authentication;
using Tessera.AspNetCore.Credentials;
using Tessera.Core.Credentials;
using Tessera.Core.Sessions;

namespace Tessera.AspNetCore.Sessions;

/// <summary>
/// DRF's SessionAuthentication: the <c>sessionid</c> cookie names a server-side session; unsafe
/// methods must also pass the CSRF check. A cookie naming no live session is no credential (a
/// browser keeps stale cookies), as in Django.
/// </summary>
internal sealed class SessionCredentialScheme(IOptionsMonitor<SessionAuthenticationOptions> options, RememberedCredentials remembered, TimeProvider time)
    : CredentialScheme<SessionAuthenticationOptions>(TesseraSchemes.Session, options)
{
    public override bool CouldCarry(HttpRequest request) => request.Headers.ContainsKey("Cookie") && request.Cookies.ContainsKey(Options.CookieName);

    public override async ValueTask<ProofResult> ProveAsync(HttpContext context)
    {
        var o = Options;
        if (!context.Request.Cookies.TryGetValue(o.CookieName, out var key) || !SessionKeys.IsWellFormed(key))
            return ProofResult.NoCredentials;
        var found = await remembered.FindAsync<ISessionStore, ServerSession>(SessionKeys.Format, key!, context, time).ConfigureAwait(false);
        if (found is null)
            return ProofResult.NoCredentials;
        if (!Csrf.IsSafe(context.Request.Method) && Csrf.Check(context, o) is { } refused)
            return ProofResult.Fail(refused);
        context.Features.Set(AmbientCredential.Instance);
        return ProofResult.Proven(found.ToProof(TesseraSchemes.Session), found.Row);
    }
}
