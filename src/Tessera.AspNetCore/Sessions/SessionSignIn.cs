using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Core.Users;
using Tessera.AspNetCore.Authentication;

namespace Tessera.AspNetCore.Sessions;

/// <summary>
/// What the session scheme adds to the others: its sign-in, so that an app's own login page (Razor,
/// Blazor, a plain endpoint) starts and ends Tessera sessions with
/// <c>HttpContext.SignInAsync(TesseraSchemes.Session, principal)</c> and <c>SignOutAsync</c>
/// (<see cref="TesseraSignInAuthenticationHandler{TOptions}"/>).
/// </summary>
internal sealed class SessionSignIn : ICredentialSignIn<SessionAuthenticationOptions>
{
    /// <summary>
    /// Starts a session for the user the principal names (<see cref="ClaimTypes.NameIdentifier"/>, the
    /// user id), as Django's <c>login()</c>: a new id, a new CSRF secret. A persistent cookie when
    /// <see cref="AuthenticationProperties.IsPersistent"/>, else one that ends with the browser.
    /// The app has checked the user's credentials; Tessera checks that the user exists and is active.
    /// </summary>
    public async Task SignInAsync(HttpContext context, SessionAuthenticationOptions options, ClaimsPrincipal user, AuthenticationProperties? properties)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (!long.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            throw new InvalidOperationException("A session sign-in needs a principal whose NameIdentifier claim is the Tessera user id.");
        var account = await context.RequestServices.GetRequiredService<IUserStore>().FindByIdAsync(id, context.RequestAborted).ConfigureAwait(false);
        if (account is not { IsActive: true }
            || !await context.RequestServices.GetRequiredService<SessionCookies>().StartAsync(context, options, account, properties?.IsPersistent == true).ConfigureAwait(false))
            throw new InvalidOperationException($"User {id} cannot be signed in: it does not exist, is inactive, or its credentials changed meanwhile. No session was started.");
    }

    /// <summary>Ends the request's session, as Django's <c>logout()</c>.</summary>
    public Task SignOutAsync(HttpContext context, SessionAuthenticationOptions options, AuthenticationProperties? properties)
        => context.RequestServices.GetRequiredService<SessionCookies>().EndAsync(context, options);
}
