using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Tessera.AspNetCore.Authentication;
using Tessera.AspNetCore.Http;
using Tessera.Core.Credentials;
using Tessera.Core.OpaqueTokens;
using Tessera.Core.Revocation;
using Tessera.Core.Users;
using Tessera.AspNetCore.Passwords;

namespace Tessera.AspNetCore.OpaqueTokens;

/// <summary>DRF's obtain_auth_token, plus what DRF lacks: the owner lists and revokes their tokens.</summary>
internal static class OpaqueTokenEndpoints
{
    public static IEndpointRouteBuilder MapOpaqueTokenEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api-token-auth/", ObtainAsync).AllowAnonymous();
        routes.MapGet("/api/tokens/", ListAsync).RequireAuthorization();
        routes.MapDelete("/api/tokens/{prefix}/", RevokeAsync).RequireAuthorization();
        return routes;
    }

    /// <summary>A new token per login (earlier ones keep working); shown this once, stored as a hash.</summary>
    private static async Task<IResult> ObtainAsync(HttpContext context, ProtectedSignIn signIn, OpaqueTokenIssuer issuer,
        IOptionsMonitor<OpaqueTokenAuthenticationOptions> monitor)
    {
        var (user, error) = await signIn.SignInFromBodyAsync(context).ConfigureAwait(false);
        if (error is not null)
            return error;
        if (user is null)
            return UnableToLogIn();

        // None: a password change, revoke-all or deactivation committed after the password check.
        if (await issuer.IssueAsync(user, monitor.Get(TesseraSchemes.Token).Lifetime, context.RequestAborted).ConfigureAwait(false) is not var (key, token))
            return UnableToLogIn();
        await Audit.AuditRecorder.RecordAsync(context, Core.Audit.AuditEvents.TokenCreated, user.Id, user.Username, token.Login().ToString(),
            ("kind", "token"), ("prefix", token.Prefix)).ConfigureAwait(false);
        return ApiResults.Json(new { token = key });
    }

    private static IResult UnableToLogIn()
        => ApiResults.Json(new { non_field_errors = new[] { "Unable to log in with provided credentials." } }, StatusCodes.Status400BadRequest);

    private static async Task<IResult> ListAsync(HttpContext context, IOpaqueTokenStore tokens)
    {
        var list = await tokens.ListAsync(context.GetTesseraUser().User.Id, context.RequestAborted).ConfigureAwait(false);
        return ApiResults.Json(list.Select(t => new
        {
            prefix = t.Prefix,
            created = UnixTime.Format(t.CreatedAt),
            expires = t.ExpiresAt is { } e ? UnixTime.Format(e) : null,
        }));
    }

    private static async Task<IResult> RevokeAsync(HttpContext context, AdmissionChanges changes, TimeProvider time, string prefix)
        => await changes.DeleteOpaqueTokensAsync(context.GetTesseraUser().User.Id, prefix, time.GetUtcNow(), context.RequestAborted).ConfigureAwait(false)
            ? Results.NoContent()
            : ApiResults.NotFound();
}
