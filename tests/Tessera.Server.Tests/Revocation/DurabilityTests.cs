using System.Net.Http.Json;
using System.Text.Json;
using Tessera.Server.Cli;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Revocation;

/// <summary>
/// Revocations are written to the database before the response, so a server killed right after
/// forgets none of them; and a change made by another process (the CLI) reaches a running server.
/// </summary>
[Collection(ProcessCollection.Name)]
[Trait("Storage", "Sqlite")] // its own SQLite deployment: run once, in the SQLite pass
public sealed class DurabilityTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tessera-process-").FullName;
    private ServerProcess _server = null!;

    private string ConnectionString => $"Data Source={Path.Combine(_directory, "tessera.db")}";

    public async Task InitializeAsync()
    {
        _server = new ServerProcess(ConnectionString);
        await _server.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    private async Task<(string Name, string Password, string Access, string Refresh)> RegisterAsync(HttpClient client)
    {
        var name = "p" + Guid.NewGuid().ToString("N")[..10];
        var password = "S3cure-" + Guid.NewGuid().ToString("N")[..12];
        var r = await client.PostAsJsonAsync("/api/register/", new { username = name, password, email = $"{name}@example.com" });
        var body = await r.Content.ReadFromJsonAsync<JsonElement>();
        return (name, password, body.GetProperty("access").GetString()!, body.GetProperty("refresh").GetString()!);
    }

    private static async Task<string> LoginAsync(HttpClient client, (string Name, string Password, string Access, string Refresh) user)
    {
        var r = await client.PostAsJsonAsync("/api/token/", new { username = user.Name, password = user.Password });
        var body = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(r.IsSuccessStatusCode, body.ToString());
        return body.GetProperty("access").GetString()!;
    }

    private static async Task<int> HelloAsync(HttpClient client, string access)
        => (int)(await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/hello/") { Headers = { { "Authorization", "Bearer " + access } } })).StatusCode;

    [Fact]
    public async Task Revocations_survive_a_kill_of_the_server_process()
    {
        using var client = _server.CreateClient();
        var loggedOut = await RegisterAsync(client);
        var everywhere = await RegisterAsync(client);
        var control = await RegisterAsync(client);
        Assert.Equal(200, await HelloAsync(client, loggedOut.Access));

        Assert.True((await client.PostAsJsonAsync("/api/token/blacklist/", new { refresh = loggedOut.Refresh })).IsSuccessStatusCode);
        var revokeAll = new HttpRequestMessage(HttpMethod.Post, "/api/token/revoke-all/") { Headers = { { "Authorization", "Bearer " + everywhere.Access } } };
        Assert.Equal(204, (int)(await client.SendAsync(revokeAll)).StatusCode);
        Assert.Equal(401, await HelloAsync(client, loggedOut.Access));
        Assert.Equal(401, await HelloAsync(client, everywhere.Access));

        await _server.KillAsync();
        await _server.StartAsync();

        using var after = _server.CreateClient();
        Assert.Equal(401, await HelloAsync(after, loggedOut.Access));
        Assert.Equal(401, await HelloAsync(after, everywhere.Access));
        Assert.Equal(401, (int)(await after.PostAsJsonAsync("/api/token/refresh/", new { refresh = everywhere.Refresh })).StatusCode);
        Assert.Equal(200, await HelloAsync(after, control.Access));
    }

    [Fact]
    public async Task The_cli_deactivating_a_user_reaches_the_running_server_within_its_feed_interval()
    {
        using var client = _server.CreateClient();
        var user = await RegisterAsync(client);
        Assert.Equal(200, await HelloAsync(client, user.Access));

        Assert.Equal(0, await TesseraCli.RunAsync(["users", "deactivate", user.Name, .. _server.SettingsArgs]));

        var refusedWithin = await FirstStatusWithinAsync(client, user.Access, 401, FeedDeadline);
        Assert.True(refusedWithin, "the running server still admitted the user two seconds after the CLI deactivated them\n" + _server.Output);

        // Reactivated: a new login works, the one from before the deactivation stays refused.
        Assert.Equal(0, await TesseraCli.RunAsync(["users", "activate", user.Name, .. _server.SettingsArgs]));
        var again = await LoginAsync(client, user);
        Assert.True(await FirstStatusWithinAsync(client, again, 200, FeedDeadline), _server.Output);
        Assert.Equal(401, await HelloAsync(client, user.Access));

        Assert.Equal(0, await TesseraCli.RunAsync(["users", "revoke", user.Name, .. _server.SettingsArgs]));
        Assert.True(await FirstStatusWithinAsync(client, again, 401, FeedDeadline), _server.Output);
    }

    [Fact]
    public async Task A_superuser_created_by_the_cli_can_use_the_running_server_at_once()
    {
        var name = "root" + Guid.NewGuid().ToString("N")[..8];
        Environment.SetEnvironmentVariable("TESSERA_SUPERUSER_PASSWORD", "Sup3r-secret-pw");
        try
        {
            Assert.Equal(0, await TesseraCli.RunAsync(["createsuperuser", "--username", name, "--email", "r@example.com", "--no-input", .. _server.SettingsArgs]));
        }
        finally
        {
            Environment.SetEnvironmentVariable("TESSERA_SUPERUSER_PASSWORD", null);
        }
        using var client = _server.CreateClient();
        var login = await client.PostAsJsonAsync("/api/token/", new { username = name, password = "Sup3r-secret-pw" });
        var access = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access").GetString()!;
        var admin = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/admin-only/") { Headers = { { "Authorization", "Bearer " + access } } });
        Assert.Equal(200, (int)admin.StatusCode);
    }

    /// <summary>The feed is read every 0.5 s; the rest is slack for a loaded 2-core machine.</summary>
    private static readonly TimeSpan FeedDeadline = TimeSpan.FromSeconds(2);

    private static async Task<bool> FirstStatusWithinAsync(HttpClient client, string access, int status, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        do
        {
            if (await HelloAsync(client, access) == status)
                return true;
            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);
        return false;
    }
}

/// <summary>Server processes and the CLI's console run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessCollection
{
    public const string Name = "process";
}
