using Microsoft.EntityFrameworkCore;
using Tessera.AspNetCore.Authentication;
using Tessera.AspNetCore.Http;
using Tessera.Server.Data;

namespace Tessera.Server.Samples;

/// <summary>Tasks: each user sees and changes only their own; another's task does not exist for them (404).</summary>
public static class TaskEndpoints
{
    public static IEndpointRouteBuilder MapTaskEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/tasks").RequireAuthorization();
        group.MapGet("/", ListAsync);
        group.MapPost("/", CreateAsync);
        group.MapGet("/{id}/", GetAsync);
        group.MapPut("/{id}/", (HttpContext c, ServerDbContext db, string id) => UpdateAsync(c, db, id, partial: false));
        group.MapPatch("/{id}/", (HttpContext c, ServerDbContext db, string id) => UpdateAsync(c, db, id, partial: true));
        group.MapDelete("/{id}/", DeleteAsync);
        return routes;
    }

    private sealed record TaskView(long Id, string Title, bool Done)
    {
        public static TaskView Of(TaskItem t) => new(t.Id, t.Title, t.Done);
    }

    private static IQueryable<TaskItem> Own(HttpContext context, ServerDbContext db)
    {
        var owner = context.GetTesseraUser().User.Id;
        return db.Tasks.Where(t => t.OwnerId == owner);
    }

    private static async Task<IResult> ListAsync(HttpContext context, ServerDbContext db)
        => ApiResults.Json(await Own(context, db).OrderBy(t => t.Id).Select(t => new TaskView(t.Id, t.Title, t.Done)).ToListAsync(context.RequestAborted));

    private static async Task<IResult> GetAsync(HttpContext context, ServerDbContext db, string id)
    {
        var task = await FindOwnAsync(context, db, id);
        return task is null ? ApiResults.NotFound() : ApiResults.Json(TaskView.Of(task));
    }

    private static async Task<IResult> CreateAsync(HttpContext context, ServerDbContext db)
    {
        var body = await RequestBody.ReadAsync(context);
        if (body.Error is { } error)
            return error;
        var fields = new FieldValidator(body.Fields);
        var title = fields.Text("title", maxLength: TaskItem.TitleMaxLength);
        var done = fields.Boolean("done");
        if (!fields.IsValid)
            return fields.ToResult();
        var task = new TaskItem { Title = title!, Done = done ?? false, OwnerId = context.GetTesseraUser().User.Id };
        db.Tasks.Add(task);
        await db.SaveChangesAsync(context.RequestAborted);
        return ApiResults.Json(TaskView.Of(task), StatusCodes.Status201Created);
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, ServerDbContext db, string id, bool partial)
    {
        var task = await FindOwnAsync(context, db, id);
        if (task is null)
            return ApiResults.NotFound();
        var body = await RequestBody.ReadAsync(context);
        if (body.Error is { } error)
            return error;
        var fields = new FieldValidator(body.Fields, partial);
        var title = fields.Text("title", maxLength: TaskItem.TitleMaxLength);
        var done = fields.Boolean("done");
        if (!fields.IsValid)
            return fields.ToResult();
        task.Title = title ?? task.Title;
        task.Done = done ?? task.Done; // DRF: a field left out keeps its value, even on PUT
        await db.SaveChangesAsync(context.RequestAborted);
        return ApiResults.Json(TaskView.Of(task));
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, ServerDbContext db, string id)
    {
        var task = await FindOwnAsync(context, db, id);
        if (task is null)
            return ApiResults.NotFound();
        db.Tasks.Remove(task);
        await db.SaveChangesAsync(context.RequestAborted);
        return Results.NoContent();
    }

    private static async Task<TaskItem?> FindOwnAsync(HttpContext context, ServerDbContext db, string id)
        => long.TryParse(id, out var key)
            ? await Own(context, db).FirstOrDefaultAsync(t => t.Id == key, context.RequestAborted)
            : null;
}
