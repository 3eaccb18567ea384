using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Tessera.AspNetCore.Authentication;
using Tessera.Server.Tests.Infrastructure;
using static Tessera.Server.Tests.Endpoints.EndpointKit;

namespace Tessera.Server.Tests.Library;

/// <summary>
/// The access log ("user 42 (jwt) accessed GET /api/hello/"): off in an app whose logging says
/// <c>Default: Information</c>, on when the app names its category; the path escaped, its query left out.
/// </summary>
[Trait("Storage", "Sqlite")] // its own SQLite deployments: run once, in the SQLite pass
public sealed class AccessLogTests
{
    private static LibraryHost Host(Dictionary<string, string?> logging)
        => new(t => t.AddJwt(),
            app => app.MapGet("/api/{**path}", (string path) => Results.Ok(new { path })).RequireAuthorization(),
            settings: logging);

    [Fact]
    public async Task Default_information_leaves_it_off()
    {
        var host = Host(new() { ["Logging:LogLevel:Default"] = "Information" });
        await host.InitializeAsync();
        try
        {
            var access = await RegisterAsync(host);
            Assert.Equal(200, (await host.Client.GetJsonAsync("/api/hello/", Bearer(access))).Status);
            Assert.DoesNotContain(host.Logs.Entries, e => e.Category == AccessLog.Category);
            // Information is on for the rest: the default is not simply a higher minimum level.
            Assert.Contains(host.Logs.Entries, e => e.Category.StartsWith("Tessera.", StringComparison.Ordinal) && e.Level == LogLevel.Information);
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task Naming_the_category_turns_it_on_with_the_user_and_the_escaped_path_only()
    {
        var host = Host(new() { [$"Logging:LogLevel:{AccessLog.Category}"] = "Information" });
        await host.InitializeAsync();
        try
        {
            var access = await RegisterAsync(host);
            var userId = UserId(access);
            Assert.Equal(200, (await host.Client.GetJsonAsync("/api/hello/%0AUser%201%20(jwt)%20accessed?secret=s3cr3t", Bearer(access))).Status);
            var line = Assert.Single(host.Logs.Entries, e => e.Category == AccessLog.Category);
            Assert.Equal(AccessLog.AccessedId, line.EventId.Id);
            Assert.Equal(LogLevel.Information, line.Level);
            Assert.StartsWith($"User {userId} (jwt) accessed GET /api/hello/%0AUser", line.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', line.Message);
            Assert.DoesNotContain("s3cr3t", line.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(access, line.Message, StringComparison.Ordinal);
            // A refused request is not an access (its line is the refusal log's).
            Assert.Equal(401, (await host.Client.GetJsonAsync("/api/hello/")).Status);
            Assert.Single(host.Logs.Entries, e => e.Category == AccessLog.Category);
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    private static async Task<string> RegisterAsync(LibraryHost host)
    {
        var name = "al" + Guid.NewGuid().ToString("N")[..10];
        var registered = await host.Client.PostJsonAsync("/api/register/", new { username = name, password = "S3cure-pass-word" });
        Assert.Equal(201, registered.Status);
        return registered.Str("access")!;
    }
}
