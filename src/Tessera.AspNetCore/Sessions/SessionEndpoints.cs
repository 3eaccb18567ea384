using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Tessera.AspNetCore.Authentication;
using Tessera.AspNetCore.Sessions;
using Tessera.AspNetCore.Http;
using Tessera.Core.Sessions;
using Tessera.Core.Users;
using Tessera.AspNetCore.Passwords;

namespace Tessera.AspNetCore.Sessions;

/// <summary>The browser's login: CSRF token, session login, profile and logout (the seed's plain Django views).</summary>
internal static class SessionEndpoints
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
        ProtectedSignIn signIn, SessionCookies cookies)
    {
        var options = Options(monitor);
        if (Csrf.Check(context, options) is { } csrfFailure)
            return ApiResults.Json(csrfFailure.Body, csrfFailure.Status);
        var remember = true;
        var (user, error) = await signIn.SignInFromBodyAsync(context, fields => remember = fields.Boolean("remember") ?? true).ConfigureAwait(false);
        if (error is not null)
            return error;
        if (user is null || !await cookies.StartAsync(context, options, user, remember).ConfigureAwait(false))
            return ApiResults.Json(new { error = "Invalid credentials" }, StatusCodes.Status401Unauthorized);
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

    private static async Task<IResult> LogoutAsync(HttpContext context, IOptionsMonitor<SessionAuthenticationOptions> monitor, SessionCookies cookies)
    {
        var result = await context.AuthenticateAsync(TesseraSchemes.Session).ConfigureAwait(false);
        if (AuthFailure.From(result) is { Status: StatusCodes.Status403Forbidden } refused)
            return ApiResults.Json(refused.Body, refused.Status);
        if (!result.Succeeded)
            return ApiResults.Json(new { error = "Not logged in" }, StatusCodes.Status400BadRequest);
        await cookies.EndAsync(context, Options(monitor)).ConfigureAwait(false);
        return ApiResults.Json(new { message = "Logged out successfully" });
    }
}
