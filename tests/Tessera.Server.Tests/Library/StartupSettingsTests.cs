using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tessera.AspNetCore;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Library;

/// <summary>
/// What an app's start says about its settings: a key under Tessera that nothing reads (a typo is
/// otherwise silently ignored), and a Redis server set while Redis is not added (otherwise each
/// instance keeps its revocations to itself, silently).
/// </summary>
[Trait("Storage", "Sqlite")]
public sealed class StartupSettingsTests
{
    private const string SettingsCheckCategory = "Tessera.AspNetCore.Hosting.SettingsCheck";

    private static LibraryHost JwtApp(Dictionary<string, string?> settings)
        => new(t => t.AddJwt(), app => app.MapGet("/api/hello/", () => "hi").RequireAuthorization(), settings: settings);

    private static List<string> SettingsWarnings(LogCapture logs)
        => [.. logs.Entries.Where(e => e.Category == SettingsCheckCategory && e.Level == LogLevel.Warning).Select(e => e.Message)];

    [Fact]
    public async Task A_misspelled_key_and_a_key_of_a_feature_not_added_are_each_named_at_start()
    {
        var host = JwtApp(new()
        {
            ["Tessera:Jwt:AccesTokenLifetime"] = "00:05:00", // misspelled
            ["Tessera:Jwt:AccessTokenLifetime"] = "00:05:00",
            ["Tessera:Sessions:CookieName"] = "sid",         // sessions are not added to this app
            ["Tessera:Cors:AllowedOrigins:0"] = "https://app.example.com", // a list's index
        });
        await host.InitializeAsync();
        await host.DisposeAsync();

        var warnings = SettingsWarnings(host.Logs);
        Assert.Contains(warnings, w => w.StartsWith("Tessera:Jwt:AccesTokenLifetime is not a setting", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.StartsWith("Tessera:Sessions:CookieName is not a setting", StringComparison.Ordinal));
        Assert.DoesNotContain(warnings, w => w.Contains("Tessera:Jwt:AccessTokenLifetime ", StringComparison.Ordinal));
        Assert.DoesNotContain(warnings, w => w.Contains("Tessera:Cors:AllowedOrigins", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_redis_server_set_while_redis_is_not_added_is_a_warning_at_start()
    {
        var host = JwtApp(new() { ["ConnectionStrings:Redis"] = "127.0.0.1:6379" });
        await host.InitializeAsync();
        await host.DisposeAsync();

        var warning = Assert.Single(SettingsWarnings(host.Logs), w => w.Contains("Redis", StringComparison.Ordinal));
        Assert.Contains(".AddRedis()", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_servers_own_settings_raise_no_warning()
    {
        var logs = new LogCapture();
        await using var server = new TesseraServer { ConfigureServices = s => s.AddLogging(b => b.AddProvider(logs)) };
        await server.InitializeAsync();

        Assert.Empty(SettingsWarnings(logs));
    }
}
