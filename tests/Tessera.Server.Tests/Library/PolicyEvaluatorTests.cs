using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Library;

/// <summary>
/// Tessera decides "an authenticated user" policies without ASP.NET Core's per-request authorization
/// service only where that decides the same: an app handler that has a say about that requirement,
/// however it is registered, is still asked, and its refusal stands.
/// </summary>
[Trait("Storage", "Sqlite")] // its own SQLite deployments: run once, in the SQLite pass
public sealed class PolicyEvaluatorTests
{
    /// <summary>Refuses every request that carries <c>X-Blocked</c>, whoever the user.</summary>
    private sealed class BlockedHeaderHandler(IHttpContextAccessor http) : AuthorizationHandler<DenyAnonymousAuthorizationRequirement>
    {
        protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, DenyAnonymousAuthorizationRequirement requirement)
        {
            if (http.HttpContext?.Request.Headers.ContainsKey("X-Blocked") == true)
                context.Fail();
            return Task.CompletedTask;
        }
    }

    /// <summary>The same, as a plain handler of any requirement.</summary>
    private sealed class BlockEverythingHandler(IHttpContextAccessor http) : IAuthorizationHandler
    {
        public Task HandleAsync(AuthorizationHandlerContext context)
        {
            if (http.HttpContext?.Request.Headers.ContainsKey("X-Blocked") == true)
                context.Fail();
            return Task.CompletedTask;
        }
    }

    public static TheoryData<string> Registrations => ["typed handler", "handler built by a factory"];

    [Theory]
    [MemberData(nameof(Registrations))]
    public async Task An_app_handler_of_the_authenticated_user_requirement_is_still_asked(string registration)
    {
        var host = new LibraryHost(tessera =>
        {
            tessera.AddJwt();
            if (registration == "typed handler")
                tessera.Services.AddSingleton<IAuthorizationHandler, BlockedHeaderHandler>();
            else
                tessera.Services.AddSingleton<IAuthorizationHandler>(sp => new BlockEverythingHandler(sp.GetRequiredService<IHttpContextAccessor>()));
        }, app => app.MapGet("/mine/", () => Results.Ok()).RequireAuthorization());
        await host.InitializeAsync();
        try
        {
            await AssertAsync(host);
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    private static async Task AssertAsync(LibraryHost host)
    {
        var register = await host.Client.PostJsonAsync("/api/register/", new { username = "pe" + Guid.NewGuid().ToString("N")[..10], password = "S3cure-pass-word" });
        var bearer = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", register.Str("access"));

        Assert.Equal(200, (await host.Client.GetJsonAsync("/mine/", bearer)).Status);
        var blocked = await host.Client.SendJsonAsync(HttpMethod.Get, "/mine/", auth: bearer, configure: m => m.Headers.Add("X-Blocked", "1"));
        Assert.Equal(403, blocked.Status);
        Assert.Equal(401, (await host.Client.GetJsonAsync("/mine/")).Status);
    }
}
