using Microsoft.AspNetCore.Http;
using Tessera.Core.Credentials;
using Tessera.Core.Logins;
using Tessera.Core.Revocation;
using Tessera.Core.Sessions;
using Tessera.Core.Users;

namespace Tessera.AspNetCore.Sessions;

/// <summary>
/// Starting and ending a server-side session, for the login endpoint and for
/// <c>HttpContext.SignInAsync</c>/<c>SignOutAsync</c> on the session scheme alike: the old session
/// is flushed and the id is new (no fixation), the CSRF secret rotates, the row carries the user's
/// revocation epoch and is written only while it is current.
/// </summary>
internal sealed class SessionCookies(ISessionStore sessions, IUserStore users, CredentialSeal seal, AdmissionChanges changes, TimeProvider time,
    LoginRecords? logins = null)
{
    /// <summary>
    /// A new session for <paramref name="user"/>, as its password check (or the app's own check) read
    /// it. False, and no session, when a password change, revoke-all or deactivation committed since.
    /// </summary>
    /// <param name="remember">A cookie for the session's lifetime; otherwise one that ends with the browser.</param>
    public async Task<bool> StartAsync(HttpContext context, SessionAuthenticationOptions options, User user, bool remember)
    {
        await EndAsync(context, options).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var key = SessionKeys.New(seal);
        var lifetime = remember ? options.Lifetime : options.BrowserSessionLifetime;
        var session = new ServerSession
        {
            KeyHash = OpaqueSecret.Hash(key),
            UserId = user.Id,
            CreatedAt = now.ToUnixTimeSeconds(),
            ExpiresAt = (now + lifetime).ToUnixTimeSeconds(),
            Epoch = user.RevocationEpoch,
        };
        var added = await sessions.AddAsync(session, context.RequestAborted).ConfigureAwait(false);
        // Either write finds the epoch moved on: a change committed after the check, refuse the login.
        if (!added || !await users.SetLastLoginAsync(user.Id, user.RevocationEpoch, now.UtcDateTime, context.RequestAborted).ConfigureAwait(false))
            return false;
        if (logins is not null)
            await logins.RecordAsync(user.Id, LoginKinds.Session, session.Login(), DateTimeOffset.FromUnixTimeSeconds(session.ExpiresAt), session.Epoch,
                session.KeyHash, context.RequestAborted).ConfigureAwait(false);
        context.Response.Cookies.Append(options.CookieName, key, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Secure = context.Request.IsHttps,
            MaxAge = remember ? lifetime : null,
            Path = "/",
        });
        Csrf.Rotate(context, options);
        await Audit.AuditRecorder.RecordAsync(context, Core.Audit.AuditEvents.SessionCreated, user.Id, user.Username,
            session.Login().ToString(), ("persistent", remember)).ConfigureAwait(false);
        return true;
    }

    /// <summary>Django's flush: the request's session is deleted on the server and its cookie expired.</summary>
    public async Task EndAsync(HttpContext context, SessionAuthenticationOptions options)
    {
        if (!context.Request.Cookies.TryGetValue(options.CookieName, out var key))
            return;
        // Its login revoked with it: an instance that remembers the session refuses it on the next request.
        if (SessionKeys.IsWellFormed(key))
            await changes.EndSessionAsync(OpaqueSecret.Hash(key!), time.GetUtcNow(), context.RequestAborted).ConfigureAwait(false);
        context.Response.Cookies.Delete(options.CookieName, new CookieOptions { Path = "/", HttpOnly = true, SameSite = SameSiteMode.Lax });
    }
}
