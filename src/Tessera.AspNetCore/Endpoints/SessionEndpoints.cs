using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Tessera.AspNetCore.Authentication;
using Tessera.AspNetCore.Authentication.Session;
using Tessera.AspNetCore.Http;
using Tessera.Core.Credentials;
using Tessera.Core.Sessions;
using Tessera.Core.Users;

namespace Tessera.AspNetCore.Endpoints;

/// <summary>The browser's login: CSRF token, session login, profile and logout (the seed's plain Django views).</summary>
public static class SessionEndpoints
{
    public static IEndpointRouteBuilder MapSessionEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/session/csrf/", GetCsrf).AllowAnonymous();
        routes.MapPost("/session/login/", LoginAsync).AllowAnonymous();
        routes.MapGet("/session/profile/", (Func<HttpContext, Task<IResult>>)ProfileAsync).AllowAnonymous();
        routes.MapPost("/session/logout/", LogoutAsync).AllowAnonymous();
        return routes;
    }

    private static SessionAuthenticationOptions Options(IOptionsMonitor<SessionAuthenticationOptions> monitor)
        => monitor.Get(TesseraSchemes.Session);

    /// <summary>Sets the <c>csrftoken</c> cookie if absent and returns a masked token for the header.</summary>
    private static IResult GetCsrf(HttpContext context, IOptionsMonitor<SessionAuthenticationOptions> monitor)
    {
        var secret = Csrf.EnsureSecret(context, Options(monitor));
        return ApiResults.Json(new CsrfResponse(CsrfTokens.Mask(secret)));
    }

    private sealed record CsrfResponse([property: System.Text.Json.Serialization.JsonPropertyName("csrfToken")] string CsrfToken);

    /// <summary>
    /// A new session for the user: the old one (if any) is flushed and the id is new, so a planted
    /// cookie never becomes a logged-in one (no fixation); the CSRF secret is rotated too.
    /// </summary>
    private static async Task<IResult> LoginAsync(HttpContext context, IOptionsMonitor<SessionAuthenticationOptions> monitor,
        PasswordLogin login, ISessionStore sessions, IUserStore users, TimeProvider time)
    {
        var options = Options(monitor);
        if (Csrf.Check(context, options) is { } csrfFailure)
            return ApiResults.Json(csrfFailure.Body, csrfFailure.Status);
        var remember = true;
        var (user, error) = await login.SignInFromBodyAsync(context, fields => remember = fields.Boolean("remember") ?? true).ConfigureAwait(false);
        if (error is not null)
            return error;
        if (user is null)
            return ApiResults.Json(new { error = "Invalid credentials" }, StatusCodes.Status401Unauthorized);

        await FlushAsync(context, options, sessions).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var key = SessionKeys.New();
        var lifetime = remember ? options.Lifetime : options.BrowserSessionLifetime;
        var added = await sessions.AddAsync(new ServerSession
        {
            KeyHash = OpaqueSecret.Hash(key),
            UserId = user.Id,
            CreatedAt = now.ToUnixTimeSeconds(),
            ExpiresAt = (now + lifetime).ToUnixTimeSeconds(),
            Epoch = user.RevocationEpoch,
        }, context.RequestAborted).ConfigureAwait(false);
        // Either write finds the epoch moved on: a password change, revoke-all or deactivation
        // committed after the password check, and this login is refused like a wrong password.
        if (!added || !await users.SetLastLoginAsync(user.Id, user.RevocationEpoch, now.UtcDateTime, context.RequestAborted).ConfigureAwait(false))
            return ApiResults.Json(new { error = "Invalid credentials" }, StatusCodes.Status401Unauthorized);
        context.Response.Cookies.Append(options.CookieName, key, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Secure = context.Request.IsHttps,
            MaxAge = remember ? lifetime : null,
            Path = "/",
        });
        Csrf.Rotate(context, options);
        return ApiResults.Json(new { message = "Login successful", user_id = user.Id, username = user.Username });
    }

    private static async Task<IResult> ProfileAsync(HttpContext context)
    {
        var result = await context.AuthenticateAsync(TesseraSchemes.Session).ConfigureAwait(false);
        var user = result.Succeeded ? context.Features.Get<AuthenticatedUser>() : null;
        return user is null
            ? ApiResults.Json(new { error = "Not authenticated" }, StatusCodes.Status401Unauthorized)
            : ApiResults.Json(new { user_id = user.User.Id, username = user.User.Username });
    }

    private static async Task<IResult> LogoutAsync(HttpContext context, IOptionsMonitor<SessionAuthenticationOptions> monitor, ISessionStore sessions)
    {
        var result = await context.AuthenticateAsync(TesseraSchemes.Session).ConfigureAwait(false);
        if (AuthFailure.From(result) is { Status: StatusCodes.Status403Forbidden } refused)
            return ApiResults.Json(refused.Body, refused.Status);
        if (!result.Succeeded)
            return ApiResults.Json(new { error = "Not logged in" }, StatusCodes.Status400BadRequest);
        await FlushAsync(context, Options(monitor), sessions).ConfigureAwait(false);
        return ApiResults.Json(new { message = "Logged out successfully" });
    }

    /// <summary>Django's flush: the request's session is deleted on the server and its cookie expired.</summary>
    private static async Task FlushAsync(HttpContext context, SessionAuthenticationOptions options, ISessionStore sessions)
    {
        if (!context.Request.Cookies.TryGetValue(options.CookieName, out var key))
            return;
        if (SessionKeys.IsWellFormed(key))
            await sessions.DeleteAsync(OpaqueSecret.Hash(key!), context.RequestAborted).ConfigureAwait(false);
        context.Response.Cookies.Delete(options.CookieName, new CookieOptions { Path = "/", HttpOnly = true, SameSite = SameSiteMode.Lax });
    }
}
