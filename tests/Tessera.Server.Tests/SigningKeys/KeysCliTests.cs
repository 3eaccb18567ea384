using Microsoft.Data.Sqlite;
using Tessera.Server.Tests.Endpoints;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.SigningKeys;

/// <summary>
/// <c>tessera keys list | rotate | retire</c>, and the start errors of the key ring: one line, exit
/// status 1, never a stack trace. In-process, so in the CLI's collection (it swaps the console).
/// </summary>
[Collection(CliCollection.Name)]
[Trait("Storage", "Sqlite")]
public sealed class KeysCliTests : IDisposable
{
    private const string ProtectionKey = "protection-key-0123456789-0123456789";
    private readonly string _directory = Directory.CreateTempSubdirectory("tessera-keys-cli-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    private string NewDatabase() => $"Data Source={Path.Combine(_directory, Guid.NewGuid().ToString("N")[..8] + ".db")}";

    private static string[] HostArgs(string db, string protectionKey = ProtectionKey, params string[] more) =>
    [
        $"--ConnectionStrings:Tessera={db}",
        "--Tessera:Jwt:Algorithm=ES256",
        $"--Tessera:SigningKeys:ProtectionKey={protectionKey}",
        "--Tessera:Email:PickupDirectory=" + Path.GetTempPath(),
        "--Logging:LogLevel:Default=Warning",
        "--environment=Production",
        "--urls=http://127.0.0.1:0",
        .. more,
    ];

    private static Task<(int Exit, string Out, string Err)> RunAsync(params string[] args) => CliRun.RunAsync(args);

    private static string OneLine(string stderr) => Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));

    [Fact]
    public async Task List_rotate_and_retire_show_the_life_of_the_keys()
    {
        var db = NewDatabase();

        var first = await RunAsync(["keys", "rotate", "--now", .. HostArgs(db)]);
        Assert.True(first.Exit == 0, first.ToString());
        var rotated = await RunAsync(["keys", "rotate", .. HostArgs(db)]);
        Assert.True(rotated.Exit == 0, rotated.ToString());
        var list = await RunAsync(["keys", "list", .. HostArgs(db)]);

        Assert.True(list.Exit == 0, list.ToString());
        var rows = list.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)[1..];
        Assert.Equal(2, rows.Length);
        Assert.EndsWith("signing", rows[0].TrimEnd());
        Assert.EndsWith("next", rows[1].TrimEnd());
        Assert.Contains("ES256", rows[0]);
        var kid = rows[0].Split(' ')[0];
        Assert.Equal(22, kid.Length);

        var retired = await RunAsync(["keys", "retire", kid, .. HostArgs(db)]);
        Assert.True(retired.Exit == 0, retired.ToString());
        var after = (await RunAsync(["keys", "list", .. HostArgs(db)])).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)[1..];
        // The published next key took over at once.
        Assert.EndsWith("retired", after[0].TrimEnd());
        Assert.EndsWith("signing", after[1].TrimEnd());
        Assert.Equal(2, after.Length);
    }

    [Fact]
    public async Task Retiring_an_unknown_or_retired_key_is_one_line_and_exit_status_1()
    {
        var db = NewDatabase();
        var unknown = await RunAsync(["keys", "retire", "no-such-kid", .. HostArgs(db)]);

        Assert.Equal(1, unknown.Exit);
        Assert.Equal("Error: No signing key 'no-such-kid' (see tessera keys list).", OneLine(unknown.Err).TrimEnd());
    }

    [Fact]
    public async Task Keys_under_hs256_is_one_line_saying_there_is_no_ring()
    {
        var (exit, _, stderr) = await RunAsync(["keys", "list", $"--ConnectionStrings:Tessera={NewDatabase()}", $"--Tessera:Jwt:SigningKey={TesseraServer.SigningKey}",
            "--Tessera:Email:PickupDirectory=" + Path.GetTempPath(), "--Logging:LogLevel:Default=Warning"]);

        Assert.Equal(1, exit);
        Assert.Contains("HS256", OneLine(stderr));
    }

    [Fact]
    public async Task An_asymmetric_start_without_a_protection_key_or_signing_key_stops_with_one_line_naming_the_setting()
    {
        var (exit, stdout, stderr) = await RunAsync(["serve", $"--ConnectionStrings:Tessera={NewDatabase()}", "--Tessera:Jwt:Algorithm=RS256",
            "--Tessera:Email:PickupDirectory=" + Path.GetTempPath(), "--environment=Production", "--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"]);

        Assert.True(exit == 1, $"{exit}\n{stdout}\n{stderr}");
        var line = OneLine(stderr);
        Assert.StartsWith("Configuration error:", line, StringComparison.Ordinal);
        Assert.Contains("Tessera:SigningKeys:ProtectionKey", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_start_with_the_wrong_protection_key_stops_with_one_line_naming_the_setting()
    {
        var db = NewDatabase();
        Assert.Equal(0, (await RunAsync(["keys", "rotate", "--now", .. HostArgs(db)])).Exit);

        var (exit, stdout, stderr) = await RunAsync(["serve", .. HostArgs(db, protectionKey: "another-protection-key-0123456789-01")]);

        Assert.True(exit == 1, $"{exit}\n{stdout}\n{stderr}");
        var line = OneLine(stderr);
        Assert.StartsWith("Configuration error:", line, StringComparison.Ordinal);
        Assert.Contains("cannot be unsealed: Tessera:SigningKeys:ProtectionKey", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
    }
}
