using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tessera.Core.Admission;
using Tessera.Core.Credentials;
using Tessera.AspNetCore.Credentials;
using Tessera.Core.Sessions;
using Tessera.Core.Users;
using Tessera.AspNetCore.Authentication;

namespace Tessera.AspNetCore.Sessions;

/// <summary>
/// DRF's SessionAuthentication: the <c>sessionid</c> cookie names a server-side session; unsafe
/// methods must also pass the CSRF check. A cookie naming no live session is no credential (a
/// browser keeps stale cookies), as in Django. Also ASP.NET Core's sign-in handler, so that an app's
/// own login page (Razor, Blazor, a plain endpoint) starts and ends Tessera sessions with
/// <c>HttpContext.SignInAsync(TesseraSchemes.Session, principal)</c> and <c>SignOutAsync</c>.
/// </summary>
public sealed class SessionAuthenticationHandler(
    IOptionsMonitor<SessionAuthenticationOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    RememberedCredentials remembered,
    TimeProvider time)
    : TesseraAuthenticationHandler<SessionAuthenticationOptions>(options, logger, encoder), IAuthenticationSignInHandler
{
    /// <summary>
    /// Starts a session for the user the principal names (<see cref="ClaimTypes.NameIdentifier"/>, the
    /// user id), as Django's <c>login()</c>: a new id, a new CSRF secret. A persistent cookie when
    /// <see cref="AuthenticationProperties.IsPersistent"/>, else one that ends with the browser.
    /// The app has checked the user's credentials; Tessera checks that the user exists and is active.
    /// </summary>
    public async Task SignInAsync(ClaimsPrincipal user, AuthenticationProperties? properties)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (!long.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            throw new InvalidOperationException("A session sign-in needs a principal whose NameIdentifier claim is the Tessera user id.");
        var account = await Context.RequestServices.GetRequiredService<IUserStore>().FindByIdAsync(id, Context.RequestAborted).ConfigureAwait(false);
        if (account is not { IsActive: true }
            || !await Context.RequestServices.GetRequiredService<SessionCookies>().StartAsync(Context, Options, account, properties?.IsPersistent == true).ConfigureAwait(false))
            throw new InvalidOperationException($"User {id} cannot be signed in: it does not exist, is inactive, or its credentials changed meanwhile. No session was started.");
    }

    /// <summary>Ends the request's session, as Django's <c>logout()</c>.</summary>
    public Task SignOutAsync(AuthenticationProperties? properties)
        => Context.RequestServices.GetRequiredService<SessionCookies>().EndAsync(Context, Options);

    protected override async ValueTask<ProofResult> ProveAsync()
    {
        if (!Request.Cookies.TryGetValue(Options.CookieName, out var key) || !SessionKeys.IsWellFormed(key))
            return ProofResult.NoCredentials;
        var found = await remembered.FindAsync<ISessionStore, ServerSession>(SessionKeys.Format, key!, Context, time).ConfigureAwait(false);
        if (found is null)
            return ProofResult.NoCredentials;
        if (!Csrf.IsSafe(Request.Method) && Csrf.Check(Context, Options) is { } refused)
            return ProofResult.Fail(refused);
        return ProofResult.Proven(found.ToProof(TesseraSchemes.Session), found.Row);
    }
}
