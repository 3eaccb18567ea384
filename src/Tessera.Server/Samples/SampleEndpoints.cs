using System.Text.Json;
using Tessera.AspNetCore.Authentication;
using Tessera.AspNetCore.Authorization;
using Tessera.AspNetCore.Http;
using Tessera.AspNetCore.Throttling;
using Tessera.Core.Jwt;

namespace Tessera.Server.Samples;

/// <summary>The seed system's small views: greetings, versions, permissions, introspection.</summary>
public static class SampleEndpoints
{
    public static IEndpointRouteBuilder MapSampleEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/ping/", () => ApiResults.Json(new { ok = true })).AllowAnonymous();
        routes.MapGet("/api/hello/", (HttpContext c) => ApiResults.Json(new { message = $"Hello, {c.GetTesseraUser().User.Username}" }))
            .RequireAuthorization();
        routes.MapGet("/home/", (HttpContext c) =>
        {
            var user = c.GetTesseraUser();
            return ApiResults.Json(new { user = user.User.Username, auth = user.Proof.Scheme });
        }).RequireAuthorization();
        routes.MapGet("/api/v1/data/", () => ApiResults.Json(new { version = "v1", data = "old format" })).RequireAuthorization();
        routes.MapGet("/api/v2/data/", () => ApiResults.Json(new { version = "v2", data = "new format" })).RequireAuthorization();
        routes.MapGet("/api/admin-only/", () => ApiResults.Json(new { message = "Admin access granted" }))
            .RequireAuthorization(TesseraPolicies.IsAdminUser);
        routes.MapGet("/api/premium/", () => ApiResults.Json(new { data = "premium" }))
            .RequireAuthorization(Data.ServerUser.IsPremiumPolicy);
        routes.MapGet("/api/throttled/", () => ApiResults.Json(new { data = "Rate-limited data" }))
            .RequireAuthorization().RequireThrottling("anon", "user");
        routes.MapGet("/api/token-info/", TokenInfo).RequireAuthorization().WithNoStore();
        routes.MapPost("/api/verify-token/", VerifyTokenAsync).AllowAnonymous().WithNoStore();
        return routes;
    }

    /// <summary>The registered claims of the JWT the request authenticated with, as the token carries them.</summary>
    private static IResult TokenInfo(HttpContext context)
    {
        if (context.GetTesseraUser().Credential is not ValidatedToken token)
            return ApiResults.PermissionDenied();
        var claims = new Dictionary<string, JsonElement>();
        foreach (var name in (string[])["token_type", "exp", "iat", "jti", "user_id"])
            if (token.Payload.TryGetProperty(name, out var value))
                claims[name] = value;
        return ApiResults.Json(claims);
    }

    /// <summary>
    /// The seed's custom check of an access token: 200 with its user, or 400 with the reason. Asks the
    /// library's one decision, the gate included, so a logged-out or revoked login is not "valid".
    /// </summary>
    private static async Task<IResult> VerifyTokenAsync(HttpContext context, JwtLoginService logins)
    {
        var body = await RequestBody.ReadAsync(context);
        if (body.Error is { } error)
            return error;
        var fields = new FieldValidator(body.Fields);
        var raw = fields.Text("token", trim: false);
        if (!fields.IsValid)
            return fields.ToResult();
        var outcome = await logins.VerifyAsync(raw!, TokenKind.Access, context.RequestAborted);
        if (outcome.Failure is { } failure)
            return ApiResults.Json(new { valid = false, error = failure.Message }, StatusCodes.Status400BadRequest);
        return ApiResults.Json(new { valid = true, user_id = outcome.Value!.UserId });
    }
}
