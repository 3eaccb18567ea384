using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tessera.AspNetCore.Authentication;
using Tessera.AspNetCore.Http;
using Tessera.Core.Jwt;
using Tessera.Core.Users;
using Tessera.AspNetCore.Passwords;

namespace Tessera.AspNetCore.Jwt;

/// <summary>SimpleJWT's views: obtain, refresh, verify and blacklist pairs; obtain and refresh sliding tokens; the JWKS.</summary>
internal static class JwtTokenEndpoints
{
    public static IEndpointRouteBuilder MapJwtTokenEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/token/", ObtainPairAsync).AllowAnonymous();
        routes.MapPost("/api/v1/token/", ObtainPairAsync).AllowAnonymous();
        routes.MapPost("/api/token/refresh/", RefreshAsync).AllowAnonymous();
        routes.MapPost("/api/token/verify/", VerifyAsync).AllowAnonymous();
        routes.MapPost("/api/token/blacklist/", BlacklistAsync).AllowAnonymous();
        routes.MapPost("/api/sliding/token/", ObtainSlidingAsync).AllowAnonymous();
        routes.MapPost("/api/sliding/token/refresh/", RefreshSlidingAsync).AllowAnonymous();
        routes.MapGet("/.well-known/jwks.json", (JwsSigningKey key) =>
            ApiResults.Json(new { keys = key.PublicJwk is { } jwk ? new[] { jwk } : [] })).AllowAnonymous();
        return routes;
    }

    private static async Task<IResult> ObtainPairAsync(HttpContext context, ProtectedSignIn signIn, JwtLoginService logins,
        IUserStore users, IOptions<JwtOptions> options, TimeProvider time)
    {
        var user = await SignInAsync(context, signIn, users, options.Value, time).ConfigureAwait(false);
        if (user.Error is { } error)
            return error;
        var pair = await logins.IssuePairAsync(user.Value!.ToSnapshot(), user.Value, context.RequestAborted).ConfigureAwait(false);
        return ApiResults.Json(new { refresh = pair.Refresh.Value, access = pair.Access.Value });
    }

    private static async Task<IResult> ObtainSlidingAsync(HttpContext context, ProtectedSignIn signIn, JwtLoginService logins,
        IUserStore users, IOptions<JwtOptions> options, TimeProvider time)
    {
        var user = await SignInAsync(context, signIn, users, options.Value, time).ConfigureAwait(false);
        if (user.Error is { } error)
            return error;
        return ApiResults.Json(new { token = (await logins.IssueSlidingAsync(user.Value!.ToSnapshot(), user.Value, context.RequestAborted).ConfigureAwait(false)).Value });
    }

    private static Task<IResult> RefreshAsync(HttpContext context, JwtLoginService logins)
        => TokenOperationAsync(context, "refresh", logins.RefreshAsync, tokens => tokens.Refresh is { } refresh
            ? ApiResults.Json(new { access = tokens.Access.Value, refresh = refresh.Value })
            : ApiResults.Json(new { access = tokens.Access.Value }));

    private static Task<IResult> VerifyAsync(HttpContext context, JwtLoginService logins)
        => TokenOperationAsync(context, "token", (token, ct) => logins.VerifyAsync(token, expected: null, ct), _ => ApiResults.Json(new { }));

    private static Task<IResult> BlacklistAsync(HttpContext context, JwtLoginService logins)
        => TokenOperationAsync(context, "refresh", logins.BlacklistAsync, _ => ApiResults.Json(new { }));

    private static Task<IResult> RefreshSlidingAsync(HttpContext context, JwtLoginService logins)
        => TokenOperationAsync(context, "token", logins.SlideAsync, token => ApiResults.Json(new { token = token.Value }));

    /// <summary>SimpleJWT's token views: read one token field, run the operation, answer its result or its 401.</summary>
    private static async Task<IResult> TokenOperationAsync<T>(HttpContext context, string field,
        Func<string, CancellationToken, Task<TokenOutcome<T>>> operation, Func<T, IResult> answer)
    {
        var token = await ReadTokenFieldAsync(context, field).ConfigureAwait(false);
        if (token.Error is { } error)
            return error;
        var outcome = await operation(token.Value!, context.RequestAborted).ConfigureAwait(false);
        return outcome.Failure is { } failure ? RefuseToken(context, failure) : answer(outcome.Value!);
    }

    /// <summary>
    /// SimpleJWT's TokenObtainSerializer: both fields required, a wrong password and an unknown or
    /// inactive user answer alike, and last_login is updated when configured — only while the user's
    /// epoch is still the one the password check read, so that a login racing a password change,
    /// revoke-all or deactivation is refused like a wrong password. (Without that write the tokens
    /// carry the epoch, and the gate refuses them on their first use.)
    /// </summary>
    internal static async Task<(User? Value, IResult? Error)> SignInAsync(HttpContext context, ProtectedSignIn signIn,
        IUserStore users, JwtOptions options, TimeProvider time)
    {
        var (user, error) = await signIn.SignInFromBodyAsync(context).ConfigureAwait(false);
        if (error is not null)
            return (null, error);
        if (user is null
            || (options.UpdateLastLogin && !await users.SetLastLoginAsync(user.Id, user.RevocationEpoch, time.GetUtcNow().UtcDateTime, context.RequestAborted).ConfigureAwait(false)))
        {
            Challenge(context);
            return (null, ApiResults.Detail(StatusCodes.Status401Unauthorized, "No active account found with the given credentials"));
        }
        return (user, null);
    }

    /// <summary>A token field read as SimpleJWT's serializers read it (a required, non-blank string).</summary>
    internal static async Task<(string? Value, IResult? Error)> ReadTokenFieldAsync(HttpContext context, string name)
    {
        var body = await RequestBody.ReadAsync(context).ConfigureAwait(false);
        if (body.Error is { } bodyError)
            return (null, bodyError);
        var fields = new FieldValidator(body.Fields);
        var value = fields.Text(name, trim: false);
        return fields.IsValid ? (value, null) : (null, fields.ToResult());
    }

    /// <summary>SimpleJWT's InvalidToken / AuthenticationFailed: 401 with detail and code.</summary>
    internal static IResult RefuseToken(HttpContext context, TokenFailure failure)
    {
        Challenge(context);
        return ApiResults.Detail(StatusCodes.Status401Unauthorized, failure.Message, failure.Code);
    }

    // SimpleJWT's views name their realm on every 401, as DRF requires of a 401: the JWT scheme's own
    // challenge (its header type and realm), as SimpleJWT's views answer with AUTH_HEADER_TYPES[0].
    private static void Challenge(HttpContext context)
        => context.Response.Headers.WWWAuthenticate = context.RequestServices.GetRequiredService<JwtCredentialScheme>().AuthenticateHeader;
}
