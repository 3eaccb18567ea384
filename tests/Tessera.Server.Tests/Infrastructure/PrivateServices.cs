using System.Diagnostics;
using Npgsql;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>
/// A private PostgreSQL and Redis in a folder of their own, started, stopped and started again
/// through <c>scripts/services.sh</c> (the one way the project starts them), each on a loopback
/// port that stays the same across restarts. Tests that stop a server own their instance; the
/// end-to-end suite on PostgreSQL shares <see cref="Shared"/>. The folder goes under
/// <c>TESSERA_TEST_SERVICES_ROOT</c> when set (scripts/test.sh stops whatever is left there).
/// </summary>
public sealed class PrivateServices : IAsyncDisposable
{
    private static readonly Lazy<Task<PrivateServices>> SharedInstance = new(async () =>
    {
        var services = new PrivateServices();
        await services.StartPostgresAsync();
        await services.StartRedisAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => services.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return services;
    });

    private int _databases;

    public PrivateServices()
    {
        var root = Environment.GetEnvironmentVariable("TESSERA_TEST_SERVICES_ROOT");
        Directory = root is { Length: > 0 }
            ? System.IO.Directory.CreateDirectory(Path.Combine(root, Guid.NewGuid().ToString("N")[..12])).FullName
            : System.IO.Directory.CreateTempSubdirectory("tessera-services-").FullName;
    }

    /// <summary>The PostgreSQL and Redis of the end-to-end run on PostgreSQL, started on first use, stopped when the test process exits.</summary>
    public static Task<PrivateServices> Shared => SharedInstance.Value;

    public string Directory { get; }

    /// <summary>The <c>tessera</c> database's connection string; empty before the first start.</summary>
    public string PostgresConnectionString { get; private set; } = "";

    public string RedisConfiguration { get; private set; } = "";

    public async Task StartPostgresAsync() => PostgresConnectionString = await ServicesAsync("postgres", "start");

    public Task StopPostgresAsync() => ServicesAsync("postgres", "stop");

    public async Task StartRedisAsync() => RedisConfiguration = await ServicesAsync("redis", "start");

    public Task StopRedisAsync() => ServicesAsync("redis", "stop");

    /// <summary>A fresh, empty database on this server, for one deployment; its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"tessera_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}";
        await using var connection = new NpgsqlConnection(PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(PostgresConnectionString) { Database = name }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try { await ServicesAsync("stop", null); }
        catch (InvalidOperationException) { }
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private async Task<string> ServicesAsync(string what, string? verb)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(RepositoryRoot, "scripts", "services.sh"));
        start.ArgumentList.Add(what);
        if (verb is not null)
            start.ArgumentList.Add(verb);
        start.ArgumentList.Add(Directory);
        // The servers are this process's: stopped within a second of its end, even when the test
        // runner kills it and ProcessExit never runs.
        start.Environment["TESSERA_SERVICES_OWNER"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"scripts/services.sh {what} {verb} failed: {await stderr}{await stdout}");
        return (await stdout).Trim();
    }

    internal static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Tessera.slnx")))
                    return dir.FullName;
            throw new InvalidOperationException("Tessera.slnx not found above " + AppContext.BaseDirectory);
        }
    }
}
