using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Tessera.AspNetCore.Authentication;
using Tessera.AspNetCore.Authorization;
using Tessera.AspNetCore.FastPipeline;
using Tessera.Core.ApiKeys;
using Tessera.Core.Users;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Library;

/// <summary>
/// A scoped API key is least-privilege on Tessera's fast pipeline and on ASP.NET Core's own alike:
/// admitted where an endpoint accepts its scope (an app's endpoint, and the revocation stream),
/// refused 403 where an endpoint requires a user, and no one at all where it requires nothing.
/// </summary>
[Trait("Storage", "Sqlite")] // its own SQLite deployments: run once, in the SQLite pass
public sealed class ScopedKeyPipelineTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_scoped_key_is_admitted_only_where_its_scope_is_accepted(bool stock)
    {
        await using var host = new App(stock);
        await host.InitializeAsync();
        var client = host.Host.Client;
        var registered = await client.PostJsonAsync("/api/register/", new { username = "svc", password = "S3cure-pass-word" });
        Assert.Equal(201, registered.Status);
        await using (var scope = host.Host.App.Services.CreateAsyncScope())
            Assert.True(await scope.ServiceProvider.GetRequiredService<UserAdministration>().SetRolesAsync("svc", staff: true));
        var bearer = Endpoints.EndpointKit.Bearer(registered.Str("access")!);
        var scoped = (await client.PostJsonAsync("/api/api-key/", new { scopes = new[] { ApiKeyScopes.RevocationsRead } }, bearer)).Str("api_key")!;
        var ordinary = (await client.PostJsonAsync("/api/api-key/", new { }, bearer)).Str("api_key")!;

        Task<ApiResponse> Get(string path, string key)
            => client.SendJsonAsync(HttpMethod.Get, path, configure: r => r.Headers.Add("X-API-Key", key));

        var accepted = await Get("/scoped/", scoped);
        Assert.Equal(200, accepted.Status);
        Assert.Equal("svc revocations:read", accepted.Str("who"));
        var protectedAnswer = await Get("/protected/", scoped);
        Assert.Equal(403, protectedAnswer.Status);
        Assert.Equal("You do not have permission to perform this action.", protectedAnswer.Str("detail"));
        Assert.Equal(403, (await Get("/staff/", scoped)).Status);
        Assert.Equal("", (await Get("/plain/", scoped)).Str("who")); // the key is no one where nothing is required

        // An ordinary key of the same user: everywhere, as before.
        Assert.Equal(200, (await Get("/protected/", ordinary)).Status);
        Assert.Equal(200, (await Get("/staff/", ordinary)).Status);
        Assert.Equal("svc", (await Get("/plain/", ordinary)).Str("who"));

        // And the revocation stream, on either pipeline.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/revocations/stream");
        request.Headers.Add("X-API-Key", scoped);
        using var stream = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(200, (int)stream.StatusCode);
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);
    }

    private sealed class App(bool stock) : IAsyncDisposable
    {
        public LibraryHost Host { get; } = new(
            tessera =>
            {
                tessera.AddJwt().AddApiKeys();
                if (stock)
                    StockPipeline.Use(tessera.Services);
            },
            app =>
            {
                static IResult Who(HttpContext c) => Results.Ok(new
                {
                    who = string.Join(' ', new[] { c.User.Identity?.Name ?? "" }.Concat(c.User.FindAll(AuthenticatedUser.ScopeClaim).Select(s => s.Value))),
                });
                app.MapGet("/scoped/", Who).RequireAuthorization().AcceptScopes(ApiKeyScopes.RevocationsRead);
                app.MapGet("/protected/", Who).RequireAuthorization();
                app.MapGet("/staff/", Who).RequireAuthorization(TesseraPolicies.IsAdminUser);
                app.MapGet("/plain/", Who);
            });

        public Task InitializeAsync() => Host.InitializeAsync();

        public async ValueTask DisposeAsync() => await Host.DisposeAsync();
    }
}
