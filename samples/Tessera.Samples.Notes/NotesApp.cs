using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Tessera.AspNetCore;
using Tessera.AspNetCore.Authentication;
using Tessera.AspNetCore.Authorization;
using Tessera.AspNetCore.Events;
using Tessera.AspNetCore.RealTime.SignalR;
using Tessera.EntityFrameworkCore;

namespace Notes;

/// <summary>The whole app: what a developer adding Tessera to an ASP.NET Core app writes.</summary>
public static class NotesApp
{
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddDbContext<NotesDbContext>(o =>
            o.UseSqlite(builder.Configuration.GetConnectionString("Notes") ?? "Data Source=notes.db"));
        builder.Services.AddTessera(builder.Configuration, o =>
            {
                // SimpleJWT's get_token override: a claim of the app's, in every token of the login.
                o.Events.OnTokenIssuing = c =>
                {
                    if (c.Account is NotesUser user)
                        c.SetClaim("department", user.Department);
                    return Task.CompletedTask;
                };
                // The seeds' custom authentication class: unverified users are refused, on every request.
                o.Events.OnAdmitting = c =>
                {
                    if (!c.User.Roles.Contains(NotesUser.VerifiedRole))
                        c.Refuse("Email not verified.");
                };
                o.Events.OnRegistering = c =>
                {
                    if (c.Fields.Text("department", maxLength: 100, required: false, allowBlank: true) is { } department)
                        ((NotesUser)c.User).Department = department;
                    return Task.CompletedTask;
                };
                o.Events.OnUpdatingProfile = o.Events.OnRegistering;
                o.Events.OnWritingProfile = c =>
                {
                    var user = (NotesUser)c.User;
                    c.Body["department"] = user.Department;
                    c.Body["email_verified"] = user.EmailVerified;
                    return Task.CompletedTask;
                };
            })
            .AddJwt()
            .AddSessions()
            .AddRealTime()
            .AddEntityFrameworkStores<NotesDbContext>();
        builder.Services.AddSignalR().AddTessera();

        var app = builder.Build();
        app.UseTessera();
        app.MapTesseraAuth();
        app.MapGet("/api/hello/", (HttpContext c) => Results.Json(new { message = $"Hello, {c.GetTesseraUser().User.Username}" }))
            .RequireAuthorization();
        var notes = app.MapGroup("/api/notes").RequireAuthorization();
        notes.MapPost("/", async (HttpContext c, NotesDbContext db, IHubContext<NotesHub> hub, NoteBody body) =>
        {
            var note = new Note { OwnerId = c.GetTesseraUser().User.Id, Text = body.Text ?? "" };
            db.Notes.Add(note);
            await db.SaveChangesAsync();
            await NotesHub.PushAsync(hub, note);
            return Results.Json(new { id = note.Id, text = note.Text }, statusCode: 201);
        });
        notes.MapPut("/{id:long}/", async (HttpContext c, NotesDbContext db, IAuthorizationService authorization, IHubContext<NotesHub> hub, long id, NoteBody body) =>
        {
            if (await db.Notes.FindAsync(id) is not { } note)
                return Results.Json(new { detail = "Not found." }, statusCode: 404);
            if (!(await authorization.AuthorizeAsync(c.User, note, TesseraPolicies.IsOwnerOrReadOnly)).Succeeded)
                return Results.Json(new { detail = "You do not have permission to perform this action." }, statusCode: 403);
            note.Text = body.Text ?? note.Text;
            await db.SaveChangesAsync();
            await NotesHub.PushAsync(hub, note);
            return Results.Json(new { id = note.Id, text = note.Text });
        });
        // The user's note changes, live: a user is required, and the connection ends with the login.
        app.MapTesseraHub<NotesHub>(NotesHub.Path);
        return app;
    }

    public static async Task MigrateAsync(WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await DatabaseMigrator.MigrateAsync(scope.ServiceProvider.GetRequiredService<NotesDbContext>());
    }

    public sealed record NoteBody(string? Text);
}
