using System.Collections.Concurrent;
using System.Security.Claims;

// A resource service: its own API, and Tessera's access tokens to say who calls it. Settings in the
// "Tessera" section (appsettings.json, or the environment: Tessera__Authority, Tessera__ApiKey,
// Tessera__MaxStaleness): every property of TesseraResourceServerOptions binds by its name.
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddAuthentication()
    .AddTesseraResourceServer(o => builder.Configuration.GetSection("Tessera").Bind(o));
builder.Services.AddAuthorization();

var app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();

// Anonymous: for a load balancer (and the tests) to see the process is up.
app.MapGet("/ping/", () => Results.Json(new { ok = true }));

app.MapGet("/whoami/", (ClaimsPrincipal user) => Results.Json(new
{
    user_id = long.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier)!, System.Globalization.CultureInfo.InvariantCulture),
    username = user.Identity!.Name,
    email = user.FindFirstValue(ClaimTypes.Email),
})).RequireAuthorization();

// Each user's notes, in memory: what this service owns, keyed by the user Tessera vouched for.
var notes = new ConcurrentDictionary<string, ConcurrentQueue<Note>>();
app.MapGet("/api/notes/", (ClaimsPrincipal user) =>
    Results.Json(notes.TryGetValue(user.FindFirstValue(ClaimTypes.NameIdentifier)!, out var mine) ? mine.ToArray() : []))
    .RequireAuthorization();
app.MapPost("/api/notes/", (ClaimsPrincipal user, NoteInput input) =>
{
    if (string.IsNullOrWhiteSpace(input.Text))
        return Results.Json(new { text = new[] { "This field is required." } }, statusCode: 400);
    var note = new Note(Guid.NewGuid().ToString("N"), input.Text);
    notes.GetOrAdd(user.FindFirstValue(ClaimTypes.NameIdentifier)!, _ => new()).Enqueue(note);
    return Results.Json(note, statusCode: 201);
}).RequireAuthorization();

app.Run();

internal sealed record Note(string Id, string Text);

internal sealed record NoteInput(string? Text);
