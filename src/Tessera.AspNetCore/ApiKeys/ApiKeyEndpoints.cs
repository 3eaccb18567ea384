using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Tessera.AspNetCore.Authentication;
using Tessera.AspNetCore.Http;
using Tessera.Core.ApiKeys;
using Tessera.Core.Revocation;

namespace Tessera.AspNetCore.ApiKeys;

/// <summary>API keys for services: created (shown once), listed and revoked by their owner.</summary>
internal static class ApiKeyEndpoints
{
    /// <summary>Longest life a key may be given at creation: a year.</summary>
    public const int MaxLifetimeDays = 365;

    public static IEndpointRouteBuilder MapApiKeyEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/api-key/", CreateAsync).RequireAuthorization();
        routes.MapGet("/api/api-key/", ListAsync).RequireAuthorization();
        routes.MapDelete("/api/api-key/{prefix}/", RevokeAsync).RequireAuthorization();
        return routes;
    }

    /// <summary>Optional <c>name</c> and <c>expires_in_days</c>; 201 with the key, which is never shown again.</summary>
    private static async Task<IResult> CreateAsync(HttpContext context, ApiKeyIssuer issuer,
        IOptionsMonitor<ApiKeyAuthenticationOptions> monitor)
    {
        var body = await RequestBody.ReadAsync(context).ConfigureAwait(false);
        if (body.Error is { } bodyError)
            return bodyError;
        var fields = new FieldValidator(body.Fields);
        var name = fields.Text("name", maxLength: Core.ApiKeys.ApiKey.NameMaxLength, required: false, allowBlank: true);
        var days = fields.Integer("expires_in_days", min: 1, max: MaxLifetimeDays);
        if (!fields.IsValid)
            return fields.ToResult();

        var lifetime = days is { } d ? TimeSpan.FromDays(d) : monitor.Get(TesseraSchemes.ApiKey).DefaultLifetime;
        var caller = context.GetTesseraUser();
        if (await issuer.IssueAsync(caller.User.Id, caller.Proof.Epoch, name ?? "", lifetime, context.RequestAborted).ConfigureAwait(false)
            is not var (key, record))
            return ApiResults.Detail(StatusCodes.Status401Unauthorized, LoginEnded);
        return ApiResults.Json(new
        {
            api_key = key,
            prefix = record.Prefix,
            name = record.Name,
            created = UnixTime.Format(record.CreatedAt),
            expires = record.ExpiresAt is { } e ? UnixTime.Format(e) : null,
        }, StatusCodes.Status201Created);
    }

    /// <summary>The caller's login was ended (password change, revoke-all, deactivation) while the key was being made.</summary>
    public const string LoginEnded = "Your login has ended; log in again.";

    private static async Task<IResult> ListAsync(HttpContext context, IApiKeyStore keys)
    {
        var list = await keys.ListAsync(context.GetTesseraUser().User.Id, context.RequestAborted).ConfigureAwait(false);
        return ApiResults.Json(list.Select(k => new
        {
            prefix = k.Prefix,
            name = k.Name,
            created = UnixTime.Format(k.CreatedAt),
            expires = k.ExpiresAt is { } e ? UnixTime.Format(e) : null,
        }));
    }

    private static async Task<IResult> RevokeAsync(HttpContext context, AdmissionChanges changes, TimeProvider time, string prefix)
        => await changes.DeleteApiKeyAsync(context.GetTesseraUser().User.Id, prefix, time.GetUtcNow(), context.RequestAborted).ConfigureAwait(false)
            ? Results.NoContent()
            : ApiResults.NotFound();
}
