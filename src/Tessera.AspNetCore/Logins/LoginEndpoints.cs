using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tessera.AspNetCore.Authentication;
using Tessera.AspNetCore.Http;
using Tessera.Core.Logins;

namespace Tessera.AspNetCore.Logins;

/// <summary>The caller's own logins of every kind: listed, one ended, or all but the current one ended.</summary>
internal static class LoginEndpoints
{
    public static IEndpointRouteBuilder MapLoginEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/account/logins/", ListAsync).RequireAuthorization();
        routes.MapDelete("/api/account/logins/{id}/", EndAsync).RequireAuthorization();
        routes.MapPost("/api/account/logins/revoke-others/", EndOthersAsync).RequireAuthorization();
        return routes;
    }

    private static async Task<IResult> ListAsync(HttpContext context, AccountLogins logins)
    {
        var caller = context.GetTesseraUser();
        var current = caller.Proof.Login?.ToString();
        var list = await logins.ListAsync(caller.User.Id, context.RequestAborted).ConfigureAwait(false);
        return ApiResults.Json(list.Select(r => new
        {
            id = r.LoginId,
            kind = r.Kind,
            created = UnixTime.Format(r.CreatedAt),
            last_used = r.LastUsedAt is { } used ? UnixTime.Format(used) : null,
            ip = r.Ip,
            user_agent = r.UserAgent,
            current = r.LoginId == current,
        }));
    }

    private static async Task<IResult> EndAsync(HttpContext context, AccountLogins logins, string id)
        => await logins.EndAsync(context.GetTesseraUser().User.Id, id, context.RequestAborted).ConfigureAwait(false)
            ? Results.NoContent()
            : ApiResults.NotFound();

    private static async Task<IResult> EndOthersAsync(HttpContext context, AccountLogins logins)
    {
        var caller = context.GetTesseraUser();
        await logins.EndOthersAsync(caller.User.Id, caller.Proof.Login, context.RequestAborted).ConfigureAwait(false);
        return Results.NoContent();
    }
}
