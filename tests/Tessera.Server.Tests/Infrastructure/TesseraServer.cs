using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Core.Revocation;
using Tessera.Core.Users;
using Tessera.Server.Cli;
using Tessera.Server.Data;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>
/// The real server (the same <see cref="ServerHost"/> the CLI runs) on Kestrel, on a loopback port,
/// over a fresh SQLite file; or, when <c>TESSERA_TEST_STORAGE=Postgres</c> (scripts/test.sh's second
/// pass), over a fresh database on a private PostgreSQL with a private Redis, as a deployment of
/// several instances runs. Tests speak HTTP to it like any client.
/// </summary>
public sealed class TesseraServer : IAsyncLifetime
{
    public const string SigningKey = "test-signing-key-0123456789-0123456789-0123456789";

    /// <summary>The storage of this test run: scripts/test.sh runs the suite once on each.</summary>
    public static readonly bool OnPostgres =
        string.Equals(Environment.GetEnvironmentVariable("TESSERA_TEST_STORAGE"), "Postgres", StringComparison.OrdinalIgnoreCase);

    private readonly string _directory;
    private readonly bool _ownsDirectory;
    private readonly Deployment _deployment;
    private WebApplication? _app;

    public TesseraServer()
        : this(Directory.CreateTempSubdirectory("tessera-test-").FullName, ownsDirectory: true, new Deployment(OnPostgres ? () => PrivateServices.Shared : null))
    {
    }

    /// <summary>An instance on PostgreSQL and Redis of <paramref name="services"/> (a test that stops them), whatever the run's storage.</summary>
    public static TesseraServer On(PrivateServices services)
        => new(Directory.CreateTempSubdirectory("tessera-test-").FullName, ownsDirectory: true, new Deployment(() => Task.FromResult(services)));

    private TesseraServer(string directory, bool ownsDirectory, Deployment deployment)
        => (_directory, _ownsDirectory, _deployment) = (directory, ownsDirectory, deployment);

    /// <summary>A second instance of this one's deployment: on its database (and Redis), which this one deletes. Not started.</summary>
    public TesseraServer AnotherInstance() => new(_directory, ownsDirectory: false, _deployment);

    /// <summary>The SQLite file (SQLite runs only).</summary>
    public string DatabasePath => Path.Combine(_directory, "tessera.db");

    public bool IsOnPostgres => _deployment.Services is not null;

    public string ConnectionString => _deployment.ConnectionString ?? $"Data Source={DatabasePath}";

    /// <summary>The server's mail, as <c>.eml</c> files (<c>Tessera:Email:PickupDirectory</c>), unless a test sets SMTP instead.</summary>
    public Outbox Outbox => new(Path.Combine(_directory, "outbox"));

    public Uri BaseAddress { get; private set; } = null!;

    public IServiceProvider Services => _app!.Services;

    /// <summary>Settings for the host, as command-line overrides; tests may add their own before start.</summary>
    public Dictionary<string, string> Settings { get; } = new();

    /// <summary>Extra services for the host (an EF interceptor, a fake clock); set before start.</summary>
    public Action<IServiceCollection>? ConfigureServices { get; set; }

    public async Task InitializeAsync()
    {
        await _deployment.PrepareAsync();
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings:Tessera"] = ConnectionString,
            ["Tessera:Jwt:SigningKey"] = SigningKey,
            // Real PBKDF2, fewer rounds: the tests register hundreds of users.
            ["Tessera:Passwords:Iterations"] = "1000",
            // Every test logs in from 127.0.0.1: the address limit is tested on its own server.
            ["Tessera:LoginProtection:MaxFailuresPerAddress"] = "1000000",
            // Account mail lands in the test's directory; every test asks for it from 127.0.0.1, so
            // account recovery's throttles are tested on their own server.
            ["Tessera:Email:PickupDirectory"] = Path.Combine(_directory, "outbox"),
            ["Tessera:Throttling:Rates:password_reset"] = "",
            ["Tessera:Throttling:Rates:password_reset_email"] = "",
            ["Tessera:Throttling:Rates:password_reset_confirm"] = "",
            ["Tessera:Throttling:Rates:email_verify"] = "",
            ["Tessera:Throttling:Rates:email_verify_email"] = "",
            ["Tessera:Throttling:Rates:email_verify_confirm"] = "",
            ["environment"] = "Production",
            ["urls"] = "http://127.0.0.1:0",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        if (_deployment.Services is { } services)
        {
            settings["Tessera:Storage:Provider"] = "Postgres";
            settings["ConnectionStrings:Redis"] = services.RedisConfiguration;
            settings["Tessera:Redis:KeyPrefix"] = _deployment.RedisKeyPrefix;
        }
        foreach (var (k, v) in Settings)
            settings[k] = v;
        _app = ServerHost.Build(settings.Select(kv => $"--{kv.Key}={kv.Value}").ToArray(), ConfigureServices);
        await TesseraCli.MigrateAsync(_app);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        if (!_ownsDirectory)
            return;
        await _deployment.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    public HttpClient CreateClient() => new(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = BaseAddress };

    /// <summary>A context on the server's database, for arranging what the API cannot (deactivation, imported hashes).</summary>
    public ServerDbContext CreateDbContext(params IInterceptor[] interceptors)
        => IsOnPostgres
            ? new Data.Postgres.PostgresServerDbContext(new DbContextOptionsBuilder<Data.Postgres.PostgresServerDbContext>().UseNpgsql(ConnectionString).AddInterceptors(interceptors).Options)
            : new ServerDbContext(new DbContextOptionsBuilder<ServerDbContext>().UseSqlite(ConnectionString).AddInterceptors(interceptors).Options);

    /// <summary>
    /// Changes a user the way an administrator does (the CLI's users verbs): database and event,
    /// so the running server's memory follows. Writing the table directly would bypass that.
    /// </summary>
    public async Task AdministerAsync(Func<UserAdministration, Task<bool>> change)
    {
        await using var scope = Services.CreateAsyncScope();
        Assert.True(await change(scope.ServiceProvider.GetRequiredService<UserAdministration>()), "no such user");
    }

    /// <summary>After arranging a user row directly (an imported Django user), tells the server, as an import would.</summary>
    public async Task UserChangedAsync(string username)
    {
        await using var scope = Services.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<IUserStore>().FindByUsernameAsync(username);
        await scope.ServiceProvider.GetRequiredService<AdmissionChanges>().UserChangedAsync(user!.Id);
    }

    /// <summary>Registers a fresh user through the API; returns its name, password and token pair.</summary>
    public async Task<RegisteredUser> RegisterAsync(string prefix = "u")
    {
        var name = prefix + Guid.NewGuid().ToString("N")[..10];
        var password = "S3cure-" + Guid.NewGuid().ToString("N")[..12];
        using var client = CreateClient();
        var response = await client.PostAsJsonAsync("/api/register/", new { username = name, password, email = $"{name}@example.com" });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, $"register: {(int)response.StatusCode} {body}");
        return new RegisteredUser(name, password, body.GetProperty("access").GetString()!, body.GetProperty("refresh").GetString()!);
    }
}

/// <summary>
/// What the instances of one deployment share beyond the SQLite folder: on PostgreSQL, one fresh
/// database and one Redis key prefix, made before the first instance starts.
/// </summary>
internal sealed class Deployment(Func<Task<PrivateServices>>? postgres) : IAsyncDisposable
{
    private readonly SemaphoreSlim _once = new(1, 1);

    /// <summary>The private PostgreSQL and Redis; null on SQLite.</summary>
    public PrivateServices? Services { get; private set; }

    public string? ConnectionString { get; private set; }

    public string RedisKeyPrefix { get; } = $"tessera-test-{Guid.NewGuid():N}:";

    public async Task PrepareAsync()
    {
        if (postgres is null)
            return;
        await _once.WaitAsync();
        try
        {
            if (ConnectionString is not null)
                return;
            Services = await postgres();
            ConnectionString = await Services.CreateDatabaseAsync();
        }
        finally
        {
            _once.Release();
        }
    }

    public ValueTask DisposeAsync()
    {
        Npgsql.NpgsqlConnection.ClearAllPools();
        return ValueTask.CompletedTask; // the database goes with the private server's folder
    }
}

public sealed record RegisteredUser(string Username, string Password, string Access, string Refresh)
{
    public AuthenticationHeaderValue Bearer => new("Bearer", Access);
}

/// <summary>One server for all end-to-end test classes: starting Kestrel and migrating once keeps the suite fast.</summary>
[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<TesseraServer>
{
    public const string Name = "server";
}
