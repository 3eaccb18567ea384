using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Tessera.AspNetCore.Authentication;
using Tessera.AspNetCore.Authorization;
using Tessera.AspNetCore.Http;
using Tessera.Core.Audit;

namespace Tessera.AspNetCore.Audit;

/// <summary>
/// The audit trail over HTTP: <c>GET /api/admin/audit/</c> (staff: any user's events) and
/// <c>GET /api/account/activity/</c> (the caller's own). Both answer
/// <c>{"results": [events, newest first], "next": "&lt;cursor&gt;" | null}</c>, 50 a page; the cursor is
/// the last id of the page, and the next page holds the events below it.
/// </summary>
internal static class AuditEndpoints
{
    public const int PageSize = 50;

    public static IEndpointRouteBuilder MapAuditEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/admin/audit/", (Delegate)AdminAsync).RequireAuthorization(TesseraPolicies.IsAdminUser);
        routes.MapGet("/api/account/activity/", (Delegate)ActivityAsync).RequireAuthorization();
        return routes;
    }

    private static Task<IResult> AdminAsync(HttpContext context)
    {
        var (userId, username) = context.Request.Query["user"].ToString() is { Length: > 0 } user ? AuditQuery.User(user) : default;
        return PageAsync(context, userId, username);
    }

    private static Task<IResult> ActivityAsync(HttpContext context)
        => PageAsync(context, context.GetTesseraUser().User.Id, null);

    private static async Task<IResult> PageAsync(HttpContext context, long? userId, string? username)
    {
        if (context.RequestServices.GetService<IAuditStore>() is not { } store)
            return ApiResults.NotFound();
        var query = context.Request.Query;
        var name = query["event"].ToString() is { Length: > 0 } e ? e : null;
        DateTimeOffset? since = null;
        if (query["since"].ToString() is { Length: > 0 } sinceText)
        {
            if (AuditQuery.ParseTime(sinceText) is not { } parsed)
                return ApiResults.Json(new Dictionary<string, string[]> { ["since"] = ["Enter a valid date/time."] }, StatusCodes.Status400BadRequest);
            since = parsed;
        }
        long? before = null;
        if (query["cursor"].ToString() is { Length: > 0 } cursor)
        {
            // DRF's CursorPagination answers an unreadable cursor with 404 "Invalid cursor".
            if (!long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var c) || c <= 0)
                return ApiResults.Detail(StatusCodes.Status404NotFound, "Invalid cursor");
            before = c;
        }
        if (name is { Length: > AuditEvent.EventMaxLength })
            return Page([], null);
        var rows = await store.QueryAsync(new AuditQuery(userId, username, name, since, before, PageSize + 1), context.RequestAborted).ConfigureAwait(false);
        var page = rows.Count > PageSize ? rows.Take(PageSize).ToList() : rows;
        return Page(page, rows.Count > PageSize ? page[^1].Id.ToString(CultureInfo.InvariantCulture) : null);
    }

    private static IResult Page(IReadOnlyList<AuditEvent> events, string? next)
        => ApiResults.Json(new Dictionary<string, object?> { ["results"] = events.Select(Describe).ToList(), ["next"] = next });

    internal static Dictionary<string, object?> Describe(AuditEvent e) => new()
    {
        ["id"] = e.Id,
        ["time"] = DateTime.SpecifyKind(e.Time, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
        ["event"] = e.Event,
        ["user_id"] = e.UserId,
        ["username"] = e.Username,
        ["login_id"] = e.LoginId,
        ["scheme"] = e.Scheme,
        ["ip"] = e.Ip,
        ["user_agent"] = e.UserAgent,
        ["details"] = Details(e.Details),
    };

    private static JsonElement? Details(string? json)
    {
        if (json is null)
            return null;
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null; // a row written by something else; the trail still reads
        }
    }
}
