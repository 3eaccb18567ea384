using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tessera.Core.Users;
using Tessera.AspNetCore.Authentication;

namespace Tessera.AspNetCore.Sessions;

/// <summary>
/// The <see cref="SessionCredentialScheme"/> as the ASP.NET Core scheme <see cref="TesseraSchemes.Session"/>,
/// and its sign-in handler, so that an app's own login page (Razor, Blazor, a plain endpoint) starts
/// and ends Tessera sessions with <c>HttpContext.SignInAsync(TesseraSchemes.Session, principal)</c>
/// and <c>SignOutAsync</c>.
/// </summary>
public sealed class SessionAuthenticationHandler(
    IOptionsMonitor<SessionAuthenticationOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    SessionCredentialScheme credentials,
    CredentialAuthentication authentication)
    : TesseraAuthenticationHandler<SessionAuthenticationOptions>(options, logger, encoder, credentials, authentication), IAuthenticationSignInHandler
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
}
