using System.Text.Json;
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

    /// <summary>
    /// Optional <c>name</c>, <c>expires_in_days</c> and <c>scopes</c> (a JSON array of strings, or one
    /// space-separated string as a form sends it); 201 with the key, which is never shown again.
    /// </summary>
    private static async Task<IResult> CreateAsync(HttpContext context, ApiKeyIssuer issuer,
        IOptionsMonitor<ApiKeyAuthenticationOptions> monitor)
    {
        var body = await RequestBody.ReadAsync(context).ConfigureAwait(false);
        if (body.Error is { } bodyError)
            return bodyError;
        var fields = new FieldValidator(body.Fields);
        var name = fields.Text("name", maxLength: Core.ApiKeys.ApiKey.NameMaxLength, required: false, allowBlank: true);
        var days = fields.Integer("expires_in_days", min: 1, max: MaxLifetimeDays);
        var scopes = ReadScopes(body.Fields, fields);
        if (!fields.IsValid)
            return fields.ToResult();

        var lifetime = days is { } d ? TimeSpan.FromDays(d) : monitor.Get(TesseraSchemes.ApiKey).DefaultLifetime;
        var caller = context.GetTesseraUser();
        if (!caller.User.IsStaff && scopes.Any(ApiKeyScopes.NeedsStaff))
            return ApiResults.PermissionDenied();
        if (await issuer.IssueAsync(caller.User.Id, caller.Proof.Epoch, name ?? "", lifetime, scopes, context.RequestAborted).ConfigureAwait(false)
            is not var (key, record))
            return ApiResults.Detail(StatusCodes.Status401Unauthorized, LoginEnded);
        // The key's own login; its prefix and name, which the key list shows anyway, not the key.
        await Audit.AuditRecorder.RecordAsync(context, Core.Audit.AuditEvents.TokenCreated, caller.User.Id, caller.User.Username, Core.Credentials.StoredCredentialExtensions.Login(record).ToString(),
            ("kind", "api_key"), ("prefix", record.Prefix), ("name", record.Name), ("scopes", record.ScopeList())).ConfigureAwait(false);
        return ApiResults.Json(new
        {
            api_key = key,
            prefix = record.Prefix,
            name = record.Name,
            created = UnixTime.Format(record.CreatedAt),
            expires = record.ExpiresAt is { } e ? UnixTime.Format(e) : null,
            scopes = record.ScopeList(),
        }, StatusCodes.Status201Created);
    }

    /// <summary>
    /// The <c>scopes</c> field: absent, null or empty for an ordinary key; otherwise known scopes only
    /// (<see cref="ApiKeyScopes.Known"/>), each once, in the order given. DRF's ListField and ChoiceField words.
    /// </summary>
    private static List<string> ReadScopes(JsonElement body, FieldValidator fields)
    {
        var scopes = new List<string>();
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("scopes", out var value) || value.ValueKind == JsonValueKind.Null)
            return scopes;
        IEnumerable<JsonElement> items;
        if (value.ValueKind == JsonValueKind.Array)
            items = value.EnumerateArray();
        else if (value.ValueKind == JsonValueKind.String)
            items = [value]; // a form's one value, space-separated (OAuth's form)
        else
        {
            fields.AddError("scopes", $"Expected a list of items but got type \"{FieldValidator.PythonTypeName(value)}\".");
            return scopes;
        }
        foreach (var item in items)
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                fields.AddError("scopes", "Not a valid string.");
                continue;
            }
            string? text;
            try
            {
                text = item.GetString();
            }
            catch (InvalidOperationException)
            {
                fields.AddError("scopes", "Not a valid string.");
                continue;
            }
            foreach (var scope in (text ?? "").Split([' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries))
            {
                if (!ApiKeyScopes.Known.Contains(scope))
                    fields.AddError("scopes", $"\"{Shorten(scope)}\" is not a valid choice.");
                else if (!scopes.Contains(scope))
                    scopes.Add(scope);
            }
        }
        return scopes;
    }

    /// <summary>An unknown scope as the error repeats it: not a whole megabyte of it.</summary>
    private static string Shorten(string scope) => scope.Length <= 50 ? scope : scope[..50] + "…";

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
            scopes = k.ScopeList(),
        }));
    }

    private static async Task<IResult> RevokeAsync(HttpContext context, AdmissionChanges changes, TimeProvider time, string prefix)
        => await changes.DeleteApiKeyAsync(context.GetTesseraUser().User.Id, prefix, time.GetUtcNow(), context.RequestAborted).ConfigureAwait(false)
            ? Results.NoContent()
            : ApiResults.NotFound();
}
