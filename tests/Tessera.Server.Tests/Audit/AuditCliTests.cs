using Tessera.Server.Tests.Endpoints;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Audit;

/// <summary><c>tessera audit</c>, in-process with the CLI's collection (it swaps the console).</summary>
[Collection(CliCollection.Name)]
[Trait("Storage", "Sqlite")] // the CLI collection's SQLite deployment
public sealed class AuditCliTests(TesseraServer server)
{
    [Fact]
    public async Task Audit_lists_a_users_events_newest_first_with_filters_and_a_limit()
    {
        var user = await server.RegisterAsync("cliaudit");
        using var client = server.CreateClient();
        var wrong = "Wrong-" + Guid.NewGuid().ToString("N");
        Assert.Equal(401, (await client.PostJsonAsync("/api/token/", new { username = user.Username, password = wrong })).Status);
        Assert.Equal(200, (await client.PostJsonAsync("/api/token/", new { username = user.Username, password = user.Password })).Status);

        var (exit, stdout, _) = await RunAsync("audit", "--user", user.Username, "--limit", "10");
        Assert.Equal(0, exit);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // Newest first: the sign-in's pair, the sign-in, the failure, the registration's pair, the user.
        Assert.Equal(["authn_token_created", "authn_login_success", "authn_login_fail", "authn_token_created", "user_created"], lines.Select(l => l.Split('\t')[1]));
        Assert.All(lines, l => Assert.Contains(user.Username, l));
        Assert.DoesNotContain(wrong, stdout);
        Assert.DoesNotContain(user.Password, stdout);

        (exit, stdout, _) = await RunAsync("audit", "--user", user.Username, "--event", "authn_login_fail");
        Assert.Equal(0, exit);
        Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        (exit, stdout, _) = await RunAsync("audit", "--user", user.Username, "--limit", "1");
        Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        (exit, _, var stderr) = await RunAsync("audit", "--since", "not-a-time");
        Assert.Equal(1, exit);
        Assert.Contains("--since", stderr);
    }

    private Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        string[] all =
        [
            .. args,
            $"--ConnectionStrings:Tessera={server.ConnectionString}",
            $"--Tessera:Jwt:SigningKey={TesseraServer.SigningKey}",
            "--Logging:LogLevel:Default=Warning",
            "--urls=http://127.0.0.1:0",
        ];
        return CliRun.RunAsync(all);
    }
}
