using Microsoft.EntityFrameworkCore;
using Microsoft.AspNetCore.Authorization;
using Tessera.AspNetCore.Authentication;
using Tessera.AspNetCore.Authorization;
using Tessera.AspNetCore.Http;
using Tessera.Server.Data;

namespace Tessera.Server.Samples;

/// <summary>Articles: any authenticated user reads them; only the author changes them (the library's IsOwnerOrReadOnly policy).</summary>
public static class ArticleEndpoints
{
    public static IEndpointRouteBuilder MapArticleEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/articles").RequireAuthorization();
        group.MapGet("/", ListAsync);
        group.MapPost("/", CreateAsync);
        group.MapGet("/{id}/", GetAsync);
        group.MapPut("/{id}/", (HttpContext c, ServerDbContext db, string id) => UpdateAsync(c, db, id, partial: false));
        group.MapPatch("/{id}/", (HttpContext c, ServerDbContext db, string id) => UpdateAsync(c, db, id, partial: true));
        group.MapDelete("/{id}/", DeleteAsync);
        return routes;
    }

    private sealed record ArticleView(long Id, string Title, string Body, string Author);

    private static IQueryable<ArticleView> Views(ServerDbContext db, long? id = null)
        => from a in db.Articles
           where id == null || a.Id == id
           join u in db.Users on a.AuthorId equals u.Id
           orderby a.Id
           select new ArticleView(a.Id, a.Title, a.Body, u.Username);

    private static async Task<IResult> ListAsync(HttpContext context, ServerDbContext db)
        => ApiResults.Json(await Views(db).ToListAsync(context.RequestAborted));

    private static async Task<IResult> GetAsync(HttpContext context, ServerDbContext db, string id)
    {
        if (!long.TryParse(id, out var key))
            return ApiResults.NotFound();
        var view = await Views(db, key).FirstOrDefaultAsync(context.RequestAborted);
        return view is null ? ApiResults.NotFound() : ApiResults.Json(view);
    }

    private static async Task<IResult> CreateAsync(HttpContext context, ServerDbContext db)
    {
        var body = await RequestBody.ReadAsync(context);
        if (body.Error is { } error)
            return error;
        var fields = new FieldValidator(body.Fields);
        var title = fields.Text("title", maxLength: Article.TitleMaxLength);
        var text = fields.Text("body", required: false, allowBlank: true, trim: false, maxLength: 100_000);
        if (!fields.IsValid)
            return fields.ToResult();
        var user = context.GetTesseraUser().User;
        var article = new Article { Title = title!, Body = text ?? "", AuthorId = user.Id };
        db.Articles.Add(article);
        await db.SaveChangesAsync(context.RequestAborted);
        return ApiResults.Json(new ArticleView(article.Id, article.Title, article.Body, user.Username), StatusCodes.Status201Created);
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, ServerDbContext db, string id, bool partial)
    {
        var (article, refusal) = await FindOwnedAsync(context, db, id);
        if (refusal is not null)
            return refusal;
        var body = await RequestBody.ReadAsync(context);
        if (body.Error is { } error)
            return error;
        var fields = new FieldValidator(body.Fields, partial);
        var title = fields.Text("title", maxLength: Article.TitleMaxLength);
        var text = fields.Text("body", required: false, allowBlank: true, trim: false, maxLength: 100_000);
        if (!fields.IsValid)
            return fields.ToResult();
        article!.Title = title ?? article.Title;
        article.Body = text ?? article.Body; // DRF: a field left out keeps its value, even on PUT
        await db.SaveChangesAsync(context.RequestAborted);
        return ApiResults.Json(new ArticleView(article.Id, article.Title, article.Body, context.GetTesseraUser().User.Username));
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, ServerDbContext db, string id)
    {
        var (article, refusal) = await FindOwnedAsync(context, db, id);
        if (refusal is not null)
            return refusal;
        db.Articles.Remove(article!);
        await db.SaveChangesAsync(context.RequestAborted);
        return Results.NoContent();
    }

    /// <summary>DRF's order: a missing object is 404 before a foreign one is 403.</summary>
    private static async Task<(Article? Article, IResult? Refusal)> FindOwnedAsync(HttpContext context, ServerDbContext db, string id)
    {
        if (!long.TryParse(id, out var key))
            return (null, ApiResults.NotFound());
        var article = await db.Articles.FirstOrDefaultAsync(a => a.Id == key, context.RequestAborted);
        if (article is null)
            return (null, ApiResults.NotFound());
        var authorization = context.RequestServices.GetRequiredService<IAuthorizationService>();
        if (!(await authorization.AuthorizeAsync(context.User, article, TesseraPolicies.IsOwnerOrReadOnly)).Succeeded)
            return (null, ApiResults.PermissionDenied());
        return (article, null);
    }
}
