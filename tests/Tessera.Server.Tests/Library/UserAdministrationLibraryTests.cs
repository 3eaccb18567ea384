using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Tessera.AspNetCore.Authorization;
using Tessera.Core.Users;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Library;

/// <summary>
/// What the server's createsuperuser and users verbs do, done by an app of its own through
/// UserAdministration (the README's recipe): no server CLI needed.
/// </summary>
[Trait("Storage", "Sqlite")]
public sealed class UserAdministrationLibraryTests : IAsyncLifetime
{
    private readonly LibraryHost _host = new(tessera => tessera.AddJwt(), app =>
        app.MapGet("/api/admin-only/", () => Results.Json(new { message = "Admin access granted" })).RequireAuthorization(TesseraPolicies.IsAdminUser));

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    private async Task<T> AdministerAsync<T>(Func<UserAdministration, Task<T>> action)
    {
        await using var scope = _host.App.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<UserAdministration>());
    }

    [Fact]
    public async Task A_superuser_created_by_the_app_signs_in_as_staff_and_deactivation_ends_its_login()
    {
        Assert.True(await AdministerAsync(a => a.CreateSuperuserAsync("Root", "Root@EXAMPLE.com", "S3cure-pass-word")));
        Assert.False(await AdministerAsync(a => a.CreateSuperuserAsync("Root", "", "another-pass-word"))); // taken

        var pair = await _host.Client.PostJsonAsync("/api/token/", new { username = "Root", password = "S3cure-pass-word" });
        Assert.Equal(200, pair.Status);
        var bearer = EndpointKitBearer(pair.Str("access")!);
        Assert.Equal(200, (await _host.Client.GetJsonAsync("/api/admin-only/", bearer)).Status);
        Assert.Equal("Root@example.com", (await _host.Client.GetJsonAsync("/api/profile/", bearer)).Str("email"));

        Assert.True(await AdministerAsync(a => a.SetActiveAsync("Root", false)));
        Assert.Equal(401, (await _host.Client.GetJsonAsync("/api/admin-only/", bearer)).Status);
    }

    private static System.Net.Http.Headers.AuthenticationHeaderValue EndpointKitBearer(string token) => new("Bearer", token);
}
