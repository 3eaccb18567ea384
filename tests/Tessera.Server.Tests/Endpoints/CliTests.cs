using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Tessera.Server.Cli;
using Tessera.Core.Revocation;
using Tessera.Core.Users;
using Tessera.Server.Data;
using Tessera.Server.Tests.Infrastructure;
using static Tessera.Server.Tests.Endpoints.EndpointKit;

namespace Tessera.Server.Tests.Endpoints;

/// <summary>
/// The CLI verbs, run in-process. They swap the process's console and environment, so they run alone
/// (not in parallel with anything), with a server of their own to log in against.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CliCollection : ICollectionFixture<TesseraServer>
{
    public const string Name = "cli";
}

[Collection(CliCollection.Name)]
[Trait("Storage", "Sqlite")] // its own SQLite deployment: run once, in the SQLite pass
public sealed class CliTests(TesseraServer server) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tessera-cli-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    private string NewDatabase() => $"Data Source={Path.Combine(_directory, NewJti()[..8] + ".db")}";

    private static string[] HostArgs(string connectionString, params string[] more) =>
    [
        $"--ConnectionStrings:Tessera={connectionString}",
        $"--Tessera:Jwt:SigningKey={TesseraServer.SigningKey}",
        "--Tessera:Passwords:Iterations=1000",
        "--Logging:LogLevel:Default=Warning",
        "--urls=http://127.0.0.1:0",
        .. more,
    ];

    private static Task<(int Exit, string Out, string Err)> RunAsync(params string[] args) => CliRun.RunAsync(args);

    private static async Task<T> WithEnvironmentAsync<T>(string name, string? value, Func<Task<T>> action)
    {
        var previous = Environment.GetEnvironmentVariable(name);
        Environment.SetEnvironmentVariable(name, value);
        try
        {
            return await action();
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, previous);
        }
    }

    [Fact]
    public async Task Users_set_marks_an_imported_user_s_email_verified()
    {
        var user = await server.RegisterAsync("imported");

        var (exit, stdout, _) = await RunAsync(["users", "set", user.Username, "--email-verified", "true", .. HostArgs(server.ConnectionString)]);

        Assert.Equal(0, exit);
        Assert.Contains($"Updated {user.Username}", stdout);
        await using var context = server.CreateDbContext();
        Assert.True(await context.Users.Where(u => u.Username == user.Username).Select(u => u.EmailVerified).SingleAsync());
    }

    [Fact]
    public async Task Existing_usernames_are_normalized_at_start_and_log_in_by_any_spelling()
    {
        var db = NewDatabase();
        Assert.Equal(0, (await RunAsync(["flushexpiredtokens", .. HostArgs(db)])).Exit); // creates the schema
        var decomposed = "ja\u0308ger" + NewJti()[..6];
        await using (var context = Context(db))
        {
            // A row written before normalization (or imported): the name in NFD.
            context.AppUsers.Add(new ServerUser { Username = decomposed, PasswordHash = DjangoHash("S3cure-pass", "salt", 1000), DateJoined = DateTime.UtcNow });
            await context.SaveChangesAsync();
        }

        Assert.Equal(0, (await RunAsync(["flushexpiredtokens", .. HostArgs(db)])).Exit);

        await using (var context = Context(db))
            Assert.Equal(decomposed.Normalize(System.Text.NormalizationForm.FormKC), (await context.Users.SingleAsync()).Username);
    }

    [Fact]
    public async Task Two_existing_usernames_that_normalize_alike_stop_the_server_with_one_line_naming_both()
    {
        var db = NewDatabase();
        Assert.Equal(0, (await RunAsync(["flushexpiredtokens", .. HostArgs(db)])).Exit);
        await using (var context = Context(db))
        {
            context.AppUsers.Add(new ServerUser { Username = "j\u00E4ger", DateJoined = DateTime.UtcNow });
            context.AppUsers.Add(new ServerUser { Username = "ja\u0308ger", DateJoined = DateTime.UtcNow });
            await context.SaveChangesAsync();
        }

        var (exit, _, stderr) = await RunAsync(["flushexpiredtokens", .. HostArgs(db)]);

        Assert.Equal(1, exit);
        Assert.StartsWith("Database error: Users 1, 2 have usernames that normalize (NFKC) to the same name", stderr.Trim());
        AssertNoStackTrace(stderr);
        await using (var context = Context(db))
            Assert.Equal(2, await context.Users.CountAsync()); // nothing changed
    }

    private static ServerDbContext Context(string connectionString)
        => new(new DbContextOptionsBuilder<ServerDbContext>().UseSqlite(connectionString).Options);

    private static void AssertNoStackTrace(string output)
    {
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.OrdinalIgnoreCase);
    }

    // ---- serve ----

    [Fact]
    public async Task Serve_on_a_port_in_use_says_so_in_one_line_and_exits_1()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;

        var (exit, stdout, stderr) = await RunAsync(["serve", .. HostArgs(NewDatabase(), $"--urls=http://127.0.0.1:{port}")]);

        Assert.Equal(1, exit);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Equal($"Error: Failed to bind to address http://127.0.0.1:{port}: address already in use.", line);
        AssertNoStackTrace(stdout + stderr);
    }

    // ---- migrate, and serve --no-migrate ----

    [Fact]
    public async Task Migrate_applies_every_migration_says_which_and_then_finds_nothing_to_do()
    {
        var db = NewDatabase();
        await using (var context = Context(db))
            Assert.NotEmpty(await context.Database.GetPendingMigrationsAsync());

        var (exit, stdout, stderr) = await RunAsync(["migrate", .. HostArgs(db)]);

        Assert.True(exit == 0, $"{exit}\n{stdout}\n{stderr}");
        await using (var context = Context(db))
        {
            Assert.Empty(await context.Database.GetPendingMigrationsAsync());
            var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.Equal(context.Database.GetMigrations().Select(m => $"Applied migration {m}."), lines);
        }
        var again = await RunAsync(["migrate", .. HostArgs(db)]);
        Assert.True(again.Exit == 0, again.ToString());
        Assert.Equal("The database is current: nothing to apply.", again.Out.Trim());
    }

    [Fact]
    public async Task Migrate_normalizes_usernames_and_says_how_many()
    {
        var db = NewDatabase();
        Assert.Equal(0, (await RunAsync(["migrate", .. HostArgs(db)])).Exit);
        await using (var context = Context(db))
        {
            context.AppUsers.Add(new ServerUser { Username = "ja\u0308ger" + NewJti()[..6], DateJoined = DateTime.UtcNow });
            await context.SaveChangesAsync();
        }

        var (exit, stdout, stderr) = await RunAsync(["migrate", .. HostArgs(db)]);

        Assert.True(exit == 0, $"{exit}\n{stdout}\n{stderr}");
        Assert.Equal("Normalized 1 username(s) to NFKC.", stdout.Trim());
    }

    [Fact]
    public async Task Migrate_on_a_database_that_cannot_be_opened_says_so_in_one_line()
    {
        var (exit, stdout, stderr) = await RunAsync(["migrate", .. HostArgs("Data Source=/nonexistent-dir/tessera.db")]);

        Assert.True(exit == 1, $"{exit}\n{stdout}\n{stderr}");
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("Database error:", line, StringComparison.Ordinal);
        AssertNoStackTrace(stdout + stderr);
    }

    [Theory]
    [InlineData("--no-migrate")]
    [InlineData("--Tessera:Storage:Migrate=false")]
    public async Task Serve_without_migrating_changes_nothing_and_gives_up_after_the_wait_in_one_line(string noMigrate)
    {
        var db = NewDatabase();

        var (exit, stdout, stderr) = await RunAsync(["serve", noMigrate, "--Tessera:Storage:SchemaWaitTimeout=00:00:01", .. HostArgs(db)]);

        Assert.True(exit == 1, $"{exit}\n{stdout}\n{stderr}");
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("Database error: the schema is not current after 00:00:01", line, StringComparison.Ordinal);
        Assert.Contains("tessera migrate", line, StringComparison.Ordinal);
        AssertNoStackTrace(stdout + stderr);
        await using var context = Context(db);
        Assert.Equal(context.Database.GetMigrations(), await context.Database.GetPendingMigrationsAsync()); // nothing applied
    }

    [Fact]
    public async Task Serve_without_migrating_waits_for_the_migrate_step_then_serves()
    {
        var db = NewDatabase();
        await using var server = new ServerProcess(db, "--no-migrate");
        var start = server.StartAsync(TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.False(start.IsCompleted, $"it served (or stopped) before the schema was current:\n{server.Output}");

        var migrate = await RunAsync(["migrate", .. HostArgs(db)]);
        Assert.True(migrate.Exit == 0, migrate.ToString());

        await start;
        using var client = server.CreateClient();
        var name = "w" + NewJti()[..10];
        var registered = await client.PostJsonAsync("/api/register/", new { username = name, password = "S3cure-" + NewJti()[..12], email = $"{name}@example.com" });
        Assert.True(registered.Status == 201, registered.ToString());
    }

    [Fact]
    public async Task A_malformed_migrate_setting_stops_the_server_with_one_line_naming_it()
    {
        var (exit, stdout, stderr) = await RunAsync(["serve", "--Tessera:Storage:Migrate=sometimes", .. HostArgs(NewDatabase())]);

        Assert.True(exit == 1, $"{exit}\n{stdout}\n{stderr}");
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("Configuration error:", line, StringComparison.Ordinal);
        Assert.Contains("Tessera:Storage:Migrate", line, StringComparison.Ordinal);
    }

    // ---- flushexpiredtokens ----

    [Fact]
    public async Task Flushexpiredtokens_deletes_only_expired_rows_and_prints_the_count()
    {
        var db = NewDatabase();
        var first = await RunAsync(["flushexpiredtokens", .. HostArgs(db)]); // creates the schema
        Assert.True(first.Exit == 0, first.ToString());
        var now = NowSeconds;
        await using (var context = Context(db))
        {
            context.BlacklistedTokens.AddRange(
                new BlacklistedToken { Jti = "expired-long-ago", UserId = 1, ExpiresAt = now - 86_400, BlacklistedAtMs = (now - 90_000) * 1000 },
                new BlacklistedToken { Jti = "expired-just-now", UserId = 1, ExpiresAt = now - 5, BlacklistedAtMs = (now - 100) * 1000 },
                new BlacklistedToken { Jti = "still-live", UserId = 1, ExpiresAt = now + 3600, BlacklistedAtMs = now * 1000 },
                new BlacklistedToken { Jti = "far-future", UserId = null, ExpiresAt = now + 7 * 86_400, BlacklistedAtMs = now * 1000 });
            await context.SaveChangesAsync();
        }

        var (exit, stdout, stderr) = await RunAsync(["flushexpiredtokens", .. HostArgs(db)]);

        Assert.True(exit == 0, $"{exit}\n{stdout}\n{stderr}");
        Assert.Matches(@"(?<!\d)2(?!\d)", stdout);
        Assert.Contains("Deleted 2", stdout, StringComparison.Ordinal);
        await using (var context = Context(db))
        {
            var left = await context.BlacklistedTokens.Select(t => t.Jti).OrderBy(j => j).ToListAsync();
            Assert.Equal(["far-future", "still-live"], left);
        }

        var again = await RunAsync(["flushexpiredtokens", .. HostArgs(db)]);
        Assert.True(again.Exit == 0, again.ToString());
        Assert.Contains("Deleted 0", again.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Flushexpiredtokens_leaves_tokens_blacklisted_through_the_api_alone()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();
        Assert.Equal(200, (await client.PostJsonAsync("/api/token/blacklist/", new { refresh = user.Refresh })).Status);

        var (exit, stdout, stderr) = await RunAsync(["flushexpiredtokens", .. HostArgs(server.ConnectionString)]);

        Assert.True(exit == 0, $"{exit}\n{stdout}\n{stderr}");
        var r = await client.PostJsonAsync("/api/token/refresh/", new { refresh = user.Refresh });
        Assert.True(r.Status == 401, $"a live blacklisted token came back after flushexpiredtokens: {r}");
    }

    // ---- createsuperuser ----

    [Fact]
    public async Task Createsuperuser_creates_an_active_staff_superuser_who_can_log_in()
    {
        var name = "admin" + NewJti()[..8];
        const string password = "Superuser-Password-1";

        var (exit, stdout, stderr) = await WithEnvironmentAsync(CreateSuperuserCommand.PasswordVariable, password,
            () => RunAsync(["createsuperuser", "--username", name, "--email", $"{name}@example.com", "--no-input", .. HostArgs(server.ConnectionString)]));

        Assert.True(exit == 0, $"{exit}\n{stdout}\n{stderr}");
        Assert.Contains("Superuser created successfully.", stdout, StringComparison.Ordinal);
        await using (var db = server.CreateDbContext())
        {
            var user = await db.Users.SingleAsync(u => u.Username == name);
            Assert.True(user.IsActive);
            Assert.True(user.IsStaff);
            Assert.True(user.IsSuperuser);
            Assert.Equal($"{name}@example.com", user.Email);
            Assert.StartsWith("pbkdf2_sha256$", user.PasswordHash, StringComparison.Ordinal);
            Assert.DoesNotContain(password, user.PasswordHash, StringComparison.Ordinal);
        }
        using var client = server.CreateClient();
        var login = await client.PostJsonAsync("/api/token/", new { username = name, password });
        Assert.True(login.Status == 200, login.ToString());
        var admin = await client.GetJsonAsync("/api/admin-only/", Bearer(login.Str("access")!));
        Assert.True(admin.Status == 200, admin.ToString());
    }

    [Fact]
    public async Task Createsuperuser_refuses_a_taken_username()
    {
        var user = await server.RegisterAsync();

        var (exit, stdout, stderr) = await WithEnvironmentAsync(CreateSuperuserCommand.PasswordVariable, "Superuser-Password-2",
            () => RunAsync(["createsuperuser", "--username", user.Username, "--email", "x@example.com", "--no-input", .. HostArgs(server.ConnectionString)]));

        Assert.True(exit == 1, $"{exit}\n{stdout}\n{stderr}");
        Assert.False(string.IsNullOrWhiteSpace(stderr), "no error message");
        AssertNoStackTrace(stdout + stderr);
        // The existing account is untouched: same password, not promoted.
        using var client = server.CreateClient();
        Assert.Equal(200, (await client.PostJsonAsync("/api/token/", new { username = user.Username, password = user.Password })).Status);
        Assert.Equal(403, (await client.GetJsonAsync("/api/admin-only/", user.Bearer)).Status);
    }

    [Fact]
    public async Task Createsuperuser_twice_fails_the_second_time()
    {
        var name = "twice" + NewJti()[..8];
        string[] args = ["createsuperuser", "--username", name, "--email", "t@example.com", "--no-input", .. HostArgs(server.ConnectionString)];

        var first = await WithEnvironmentAsync(CreateSuperuserCommand.PasswordVariable, "Superuser-Password-3", () => RunAsync(args));
        var second = await WithEnvironmentAsync(CreateSuperuserCommand.PasswordVariable, "Superuser-Password-4", () => RunAsync(args));

        Assert.True(first.Exit == 0, first.ToString());
        Assert.True(second.Exit == 1, second.ToString());
        using var client = server.CreateClient();
        Assert.Equal(200, (await client.PostJsonAsync("/api/token/", new { username = name, password = "Superuser-Password-3" })).Status);
        Assert.Equal(401, (await client.PostJsonAsync("/api/token/", new { username = name, password = "Superuser-Password-4" })).Status);
    }

    [Fact]
    public async Task Createsuperuser_without_input_needs_the_password_variable()
    {
        var name = "nopw" + NewJti()[..8];

        var (exit, stdout, stderr) = await WithEnvironmentAsync(CreateSuperuserCommand.PasswordVariable, null,
            () => RunAsync(["createsuperuser", "--username", name, "--email", "n@example.com", "--no-input", .. HostArgs(server.ConnectionString)]));

        Assert.True(exit == 1, $"{exit}\n{stdout}\n{stderr}");
        Assert.Contains(CreateSuperuserCommand.PasswordVariable, stderr, StringComparison.Ordinal);
        AssertNoStackTrace(stdout + stderr);
        await using var db = server.CreateDbContext();
        Assert.False(await db.Users.AnyAsync(u => u.Username == name));
    }

    [Fact]
    public async Task Createsuperuser_without_input_needs_a_username()
    {
        var (exit, stdout, stderr) = await WithEnvironmentAsync(CreateSuperuserCommand.PasswordVariable, "Superuser-Password-5",
            () => RunAsync(["createsuperuser", "--email", "n@example.com", "--no-input", .. HostArgs(server.ConnectionString)]));

        Assert.True(exit == 1, $"{exit}\n{stdout}\n{stderr}");
        Assert.Contains("--username", stderr, StringComparison.Ordinal);
        AssertNoStackTrace(stdout + stderr);
    }

    [Fact]
    public async Task Createsuperuser_refuses_an_invalid_username()
    {
        var (exit, stdout, stderr) = await WithEnvironmentAsync(CreateSuperuserCommand.PasswordVariable, "Superuser-Password-6",
            () => RunAsync(["createsuperuser", "--username", new string('x', 151), "--email", "n@example.com", "--no-input", .. HostArgs(server.ConnectionString)]));

        Assert.True(exit == 1, $"{exit}\n{stdout}\n{stderr}");
        AssertNoStackTrace(stdout + stderr);
    }

    // ---- serve ----

    [Theory]
    [InlineData("")]
    [InlineData("short")]
    [InlineData("31-bytes-is-still-too-short-key")]
    public async Task Serve_in_production_refuses_a_missing_or_short_signing_key(string key)
    {
        var db = NewDatabase();

        var (exit, stdout, stderr) = await RunAsync(
            "serve", "--environment=Production", $"--ConnectionStrings:Tessera={db}", $"--Tessera:Jwt:SigningKey={key}",
            "--urls=http://127.0.0.1:0", "--Tessera:Passwords:Iterations=1000");

        Assert.True(exit == 1, $"{exit}\n{stdout}\n{stderr}");
        Assert.Contains("SigningKey", stderr, StringComparison.Ordinal);
        AssertNoStackTrace(stdout + stderr);
    }

    [Fact]
    public async Task Serve_refuses_an_unsupported_algorithm_naming_the_setting()
    {
        var (exit, stdout, stderr) = await RunAsync(
            "serve", "--environment=Production", $"--ConnectionStrings:Tessera={NewDatabase()}",
            $"--Tessera:Jwt:SigningKey={TesseraServer.SigningKey}", "--Tessera:Jwt:Algorithm=none",
            "--urls=http://127.0.0.1:0", "--Tessera:Passwords:Iterations=1000");

        Assert.True(exit == 1, $"{exit}\n{stdout}\n{stderr}");
        Assert.Contains("Algorithm", stderr, StringComparison.Ordinal);
        AssertNoStackTrace(stdout + stderr);
    }

    [Fact]
    public async Task Serve_refuses_too_few_password_iterations_naming_the_setting()
    {
        var (exit, stdout, stderr) = await RunAsync(
            "serve", "--environment=Production", $"--ConnectionStrings:Tessera={NewDatabase()}",
            $"--Tessera:Jwt:SigningKey={TesseraServer.SigningKey}", "--Tessera:Passwords:Iterations=10",
            "--urls=http://127.0.0.1:0");

        Assert.True(exit == 1, $"{exit}\n{stdout}\n{stderr}");
        // Named precisely enough to act on: the setting and its bound.
        Assert.Contains("Iterations", stderr, StringComparison.Ordinal);
        AssertNoStackTrace(stdout + stderr);
    }

    // ---- usage ----

    [Fact]
    public async Task Help_prints_usage_and_an_unknown_verb_fails()
    {
        var help = await RunAsync("help");
        var unknown = await RunAsync("frobnicate");

        Assert.True(help.Exit == 0, help.ToString());
        Assert.Contains("createsuperuser", help.Out, StringComparison.Ordinal);
        Assert.Contains("flushexpiredtokens", help.Out, StringComparison.Ordinal);
        Assert.NotEqual(0, unknown.Exit);
        Assert.Contains("usage", unknown.Err, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task Help_needs_no_signing_key_and_lists_every_verb(string flag)
    {
        var (exit, stdout, stderr) = await RunAsync(flag);

        Assert.True(exit == 0, $"{exit}\n{stdout}\n{stderr}");
        foreach (var verb in new[] { "serve", "migrate", "--no-migrate", "createsuperuser", "flushexpiredtokens", "users" })
            Assert.Contains(verb, stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("SigningKey", stdout + stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "users", "--help" }, "deactivate")]
    [InlineData(new[] { "users", "set", "--help" }, "--premium")]
    [InlineData(new[] { "users", "set", "--help" }, "--email-verified")]
    [InlineData(new[] { "createsuperuser", "--help" }, "--no-input")]
    [InlineData(new[] { "flushexpiredtokens", "--help" }, "expired")]
    [InlineData(new[] { "migrate", "--help" }, "--no-migrate")]
    [InlineData(new[] { "serve", "--help" }, "--no-migrate")]
    public async Task Every_verb_has_help(string[] args, string mentions)
    {
        var (exit, stdout, stderr) = await RunAsync(args);

        Assert.True(exit == 0, $"{exit}\n{stdout}\n{stderr}");
        Assert.Contains(mentions, stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_setting_stops_the_server_with_one_line_naming_it()
    {
        var (exit, stdout, stderr) = await RunAsync(
            "serve", "--environment=Production", $"--ConnectionStrings:Tessera={NewDatabase()}", $"--Tessera:Jwt:SigningKey={TesseraServer.SigningKey}",
            "--Tessera:Jwt:AccessTokenLifetime=banana", "--urls=http://127.0.0.1:0");

        Assert.True(exit == 1, $"{exit}\n{stdout}\n{stderr}");
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("Configuration error:", line, StringComparison.Ordinal);
        Assert.Contains("Tessera:Jwt:AccessTokenLifetime", line, StringComparison.Ordinal);
        AssertNoStackTrace(stdout + stderr);
    }

    [Fact]
    public async Task A_database_that_cannot_be_opened_stops_the_server_with_one_line_naming_it()
    {
        var (exit, stdout, stderr) = await RunAsync(
            "serve", "--environment=Production", "--ConnectionStrings:Tessera=Data Source=/nonexistent-dir/tessera.db",
            $"--Tessera:Jwt:SigningKey={TesseraServer.SigningKey}", "--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Information");

        Assert.True(exit == 1, $"{exit}\n{stdout}\n{stderr}");
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("Database error:", line, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings:Tessera", line, StringComparison.Ordinal);
        AssertNoStackTrace(stdout + stderr);
    }
}
