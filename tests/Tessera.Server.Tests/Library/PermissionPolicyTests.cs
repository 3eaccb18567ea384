using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Tessera.AspNetCore.Authorization;
using Tessera.Server.Tests.Infrastructure;
using static Tessera.Server.Tests.Endpoints.EndpointKit;

namespace Tessera.Server.Tests.Library;

/// <summary>DRF's permission classes as the library's policies, used by an app's own endpoints.</summary>
[Trait("Storage", "Sqlite")] // its own SQLite deployment: run once, in the SQLite pass
public sealed class PermissionPolicyTests : IAsyncLifetime
{
    private sealed record Note(long OwnerId, string Text) : IOwnedResource;

    private static readonly Dictionary<int, Note> Notes = new();

    private readonly LibraryHost _host = new(tessera => tessera.AddJwt(), app =>
    {
        app.MapGet("/notes/", () => Results.Json(Notes.Values.Select(n => n.Text))).RequireAuthorization(TesseraPolicies.IsAuthenticatedOrReadOnly);
        app.MapPost("/notes/", () => Results.Ok()).RequireAuthorization(TesseraPolicies.IsAuthenticatedOrReadOnly);
        app.MapMethods("/notes/{id:int}/", ["GET", "PUT"], async (int id, HttpContext c, IAuthorizationService authorization) =>
        {
            var allowed = await authorization.AuthorizeAsync(c.User, Notes[id], TesseraPolicies.IsOwnerOrReadOnly);
            return allowed.Succeeded ? Results.Ok() : Results.StatusCode(403);
        }).RequireAuthorization(TesseraPolicies.IsAuthenticatedOrReadOnly);
    });

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task IsAuthenticatedOrReadOnly_lets_anyone_read_and_only_a_user_write()
    {
        var access = await RegisterAsync();

        Assert.Equal(200, (await _host.Client.GetJsonAsync("/notes/")).Status);
        var anonymous = await _host.Client.PostJsonAsync("/notes/", new { });
        Assert.Equal(401, anonymous.Status);
        Assert.Equal(NotProvided, anonymous.Str("detail"));
        Assert.Equal(200, (await _host.Client.PostJsonAsync("/notes/", new { }, Bearer(access))).Status);
    }

    [Fact]
    public async Task IsOwnerOrReadOnly_lets_anyone_read_a_resource_and_only_its_owner_change_it()
    {
        var owner = await RegisterAsync();
        var other = await RegisterAsync();
        var id = Random.Shared.Next();
        Notes[id] = new Note(UserId(owner), "mine");

        Assert.Equal(200, (await _host.Client.GetJsonAsync($"/notes/{id}/")).Status);
        Assert.Equal(200, (await _host.Client.GetJsonAsync($"/notes/{id}/", Bearer(other))).Status);
        Assert.Equal(403, (await _host.Client.SendJsonAsync(HttpMethod.Put, $"/notes/{id}/", new { }, Bearer(other))).Status);
        Assert.Equal(200, (await _host.Client.SendJsonAsync(HttpMethod.Put, $"/notes/{id}/", new { }, Bearer(owner))).Status);
    }

    private async Task<string> RegisterAsync()
    {
        var r = await _host.Client.PostJsonAsync("/api/register/", new { username = "pp" + Guid.NewGuid().ToString("N")[..10], password = "S3cure-pass-word" });
        Assert.Equal(201, r.Status);
        return r.Str("access")!;
    }
}
