using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tessera.AspNetCore.Authentication;
using Tessera.AspNetCore.Http;
using Tessera.AspNetCore.SigningKeys;
using Tessera.Core.Jwt;
using Tessera.Core.SigningKeys;
using Tessera.Core.Users;
using Tessera.AspNetCore.Passwords;

namespace Tessera.AspNetCore.Jwt;

/// <summary>SimpleJWT's views: obtain, refresh, verify and blacklist pairs; obtain and refresh sliding tokens; the JWKS and discovery.</summary>
internal static class JwtTokenEndpoints
{
    /// <summary>SimpleJWT's answer to a wrong password, an unknown user and an inactive one alike.</summary>
    public const string NoActiveAccount = "No active account found with the given credentials";

    public static IEndpointRouteBuilder MapJwtTokenEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/token/", ObtainPairAsync).AllowAnonymous();
        routes.MapPost("/api/v1/token/", ObtainPairAsync).AllowAnonymous();
        routes.MapPost("/api/token/refresh/", RefreshAsync).AllowAnonymous();
        routes.MapPost("/api/token/verify/", VerifyAsync).AllowAnonymous();
        routes.MapPost("/api/token/blacklist/", BlacklistAsync).AllowAnonymous();
        routes.MapPost("/api/sliding/token/", ObtainSlidingAsync).AllowAnonymous();
        routes.MapPost("/api/sliding/token/refresh/", RefreshSlidingAsync).AllowAnonymous();
        routes.MapGet("/.well-known/jwks.json", Jwks).AllowAnonymous();
        routes.MapGet("/.well-known/openid-configuration", Discovery).AllowAnonymous();
        return routes;
    }

    /// <summary>
    /// The public keys of the ring (the signer, the next key, superseded keys until their last token
    /// expires; never a retired key, never HS256's secret), cacheable by every verifier for
    /// <see cref="SigningKeyOptions.JwksMaxAge"/>, with a strong ETag for conditional requests.
    /// </summary>
    private static IResult Jwks(HttpContext context, JwsKeyRing ring, IOptions<SigningKeyOptions> keys)
    {
        var document = JwksDocument.Of(ring.Current);
        SetPublicCaching(context.Response, keys.Value);
        context.Response.Headers.ETag = document.ETag;
        var ifNoneMatch = context.Request.GetTypedHeaders().IfNoneMatch;
        if (ifNoneMatch.Any(tag => tag.Tag == "*" || (!tag.IsWeak && tag.Tag == document.ETag)))
            return Results.StatusCode(StatusCodes.Status304NotModified);
        return Results.Bytes(document.Body, "application/json");
    }

    /// <summary>
    /// OpenID Connect discovery, as much of it as a stock verifier needs to validate Tessera's access
    /// tokens with nothing but the URL (JwtBearer's <c>Authority</c>, SimpleJWT's <c>JWK_URL</c>):
    /// the issuer (configured, or inferred from the request, as the tokens it issues carry it), the
    /// absolute JWKS URL, the token endpoints (SimpleJWT's paths) and the algorithm. Under HS256
    /// too: its JWKS is empty, the secret being shared.
    /// </summary>
    private static IResult Discovery(HttpContext context, JwtOptions jwt, IOptions<SigningKeyOptions> keys)
    {
        var root = InferredIssuer.BaseUrl(context.Request);
        SetPublicCaching(context.Response, keys.Value);
        return ApiResults.Json(new Dictionary<string, object>
        {
            ["issuer"] = InferredIssuer.IssuerOf(context.Request, jwt),
            ["jwks_uri"] = root + "/.well-known/jwks.json",
            ["token_endpoint"] = root + "/api/token/",
            ["token_refresh_endpoint"] = root + "/api/token/refresh/",
            ["token_verify_endpoint"] = root + "/api/token/verify/",
            ["token_blacklist_endpoint"] = root + "/api/token/blacklist/",
            ["grant_types_supported"] = new[] { "password", "refresh_token" },
            ["response_types_supported"] = new[] { "token" },
            ["subject_types_supported"] = new[] { "public" },
            ["id_token_signing_alg_values_supported"] = new[] { jwt.Algorithm },
            ["token_endpoint_auth_methods_supported"] = new[] { "none" },
            ["claims_supported"] = new[] { "token_type", "exp", "iat", "jti", "user_id", "username", "email", "iss", "aud", TokenIssuer.LoginIdClaim, TokenIssuer.EpochClaim },
        });
    }

    /// <summary>Public and cacheable, in the place of the no-store of the endpoints that carry credentials.</summary>
    private static void SetPublicCaching(HttpResponse response, SigningKeyOptions keys)
    {
        response.Headers.CacheControl = $"public, max-age={(long)keys.JwksMaxAge.TotalSeconds}";
        response.Headers.Remove("Pragma");
    }

    private static async Task<IResult> ObtainPairAsync(HttpContext context, ProtectedSignIn signIn, JwtLoginService logins,
        IUserStore users, IOptions<JwtOptions> options, TimeProvider time)
    {
        var user = await SignInAsync(context, signIn, users, options.Value, time).ConfigureAwait(false);
        if (user.Error is { } error)
            return error;
        var pair = await logins.IssuePairAsync(user.Value!.ToSnapshot(), user.Value, context.RequestAborted).ConfigureAwait(false);
        AccessTokenCookie.Issue(context, pair.Access);
        return ApiResults.Json(new { refresh = pair.Refresh.Value, access = pair.Access.Value });
    }

    private static async Task<IResult> ObtainSlidingAsync(HttpContext context, ProtectedSignIn signIn, JwtLoginService logins,
        IUserStore users, IOptions<JwtOptions> options, TimeProvider time)
    {
        var user = await SignInAsync(context, signIn, users, options.Value, time).ConfigureAwait(false);
        if (user.Error is { } error)
            return error;
        var sliding = await logins.IssueSlidingAsync(user.Value!.ToSnapshot(), user.Value, context.RequestAborted).ConfigureAwait(false);
        AccessTokenCookie.Issue(context, sliding);
        return ApiResults.Json(new { token = sliding.Value });
    }

    private static Task<IResult> RefreshAsync(HttpContext context, JwtLoginService logins, Metrics.TesseraMetrics metrics)
        => TokenOperationAsync(context, "refresh", logins.RefreshAsync, tokens =>
        {
            metrics.Refreshed(rotated: tokens.Refresh is not null);
            AccessTokenCookie.Issue(context, tokens.Access);
            return tokens.Refresh is { } refresh
                ? ApiResults.Json(new { access = tokens.Access.Value, refresh = refresh.Value })
                : ApiResults.Json(new { access = tokens.Access.Value });
        });

    private static Task<IResult> VerifyAsync(HttpContext context, JwtLoginService logins)
        => TokenOperationAsync(context, "token", (token, ct) => logins.VerifyAsync(token, expected: null, ct), _ => ApiResults.Json(new { }));

    private static Task<IResult> BlacklistAsync(HttpContext context, JwtLoginService logins)
        => TokenOperationAsync(context, "refresh", logins.BlacklistAsync, _ => ApiResults.Json(new { }));

    private static Task<IResult> RefreshSlidingAsync(HttpContext context, JwtLoginService logins)
        => TokenOperationAsync(context, "token", logins.SlideAsync, token =>
        {
            AccessTokenCookie.Issue(context, token);
            return ApiResults.Json(new { token = token.Value });
        });

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
            return (null, ApiResults.Detail(StatusCodes.Status401Unauthorized, NoActiveAccount));
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
