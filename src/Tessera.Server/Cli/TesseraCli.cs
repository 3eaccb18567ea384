using System.CommandLine;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.EntityFrameworkCore;
using Tessera.Server.Data;

namespace Tessera.Server.Cli;

/// <summary>
/// <c>tessera [serve|migrate|createsuperuser|flushexpiredtokens|users|keys] [options]</c>, after Django's
/// manage.py, on System.CommandLine (<c>tessera --help</c>, <c>tessera users set --help</c>). Options
/// a verb does not know go on to the host (<c>--urls</c>, <c>--environment</c>, any setting as
/// <c>--Tessera:Jwt:AccessTokenLifetime=00:05:00</c>). Whatever goes wrong is one line on standard
/// error that names the cause, and exit status 1; never a stack trace.
/// </summary>
public static class TesseraCli
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args is ["help", .. var rest])
            args = [.. rest, "--help"]; // manage.py's spelling
        try
        {
            return await Create().Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (OptionsValidationException e)
        {
            return Fail("Configuration error: " + string.Join(" ", e.Failures));
        }
        catch (InvalidOperationException e) when (e.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal))
        {
            // The binder's own words name the setting and the type: "Failed to convert configuration
            // value at 'Tessera:Jwt:AccessTokenLifetime' to type 'System.TimeSpan'."
            return Fail("Configuration error: " + e.Message);
        }
        catch (DatabaseMigrationException e)
        {
            return Fail("Database error: " + e.Message);
        }
        catch (Exception e) when (e is DbException || e.InnerException is DbException)
        {
            var cause = e as DbException ?? (DbException)e.InnerException!;
            return Fail($"Database error: the database of ConnectionStrings:{ServerHost.ConnectionStringName} cannot be used: {cause.Message}");
        }
        catch (CliException e)
        {
            return Fail("Error: " + e.Message);
        }
        catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
        {
            // Kestrel's words name the address: "Failed to bind to address http://127.0.0.1:8000: address already in use."
            return Fail("Error: " + e.Message);
        }
    }

    /// <summary>The command tree: the root runs the server (the default verb), as do <c>serve</c>'s options.</summary>
    public static RootCommand Create()
    {
        var root = new RootCommand("Tessera: the authentication server. Without a verb, runs the server (serve).")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        var rootNoMigrate = NoMigrateOption();
        root.Options.Add(rootNoMigrate);
        root.SetAction((result, _) => result.UnmatchedTokens is [var first, ..] && !first.StartsWith('-')
            ? Task.FromResult(Fail($"Unknown verb '{first}'. usage: tessera [serve|migrate|createsuperuser|flushexpiredtokens|users|keys] [options]; see tessera --help."))
            : ServeAsync([.. result.UnmatchedTokens], result.GetValue(rootNoMigrate)));

        var noMigrate = NoMigrateOption();
        var serve = new Command("serve", "run the server; host options such as --urls http://127.0.0.1:8000, --environment Development, and any setting. " +
            "It first brings the database to this version's schema (instances started together apply each change once), unless --no-migrate")
        {
            noMigrate,
        };
        serve.TreatUnmatchedTokensAsErrors = false;
        serve.SetAction((result, _) => ServeAsync([.. result.UnmatchedTokens], result.GetValue(noMigrate)));
        root.Subcommands.Add(serve);

        root.Subcommands.Add(MigrateCommand.Create());

        root.Subcommands.Add(CreateSuperuserCommand.Create());

        var flush = new Command("flushexpiredtokens", "delete blacklist rows, sessions, tokens and keys that have expired, and say how many (the server also does it hourly)")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        flush.SetAction((result, _) => FlushExpiredTokensAsync([.. result.UnmatchedTokens]));
        root.Subcommands.Add(flush);

        root.Subcommands.Add(UsersCommand.Create());
        root.Subcommands.Add(KeysCommand.Create());
        root.Subcommands.Add(AuditCommand.Create());
        return root;
    }

    private static Option<bool> NoMigrateOption() => new("--no-migrate")
    {
        Description = $"do not change the database: wait (at most {MigrationSettings.SchemaWaitTimeoutSetting}, 5 min) until `tessera migrate`, run as a step of its own, " +
            $"has brought it to this version's schema; the same as {MigrationSettings.MigrateSetting}=false",
    };

    private static async Task<int> ServeAsync(string[] args, bool noMigrate)
    {
        if (noMigrate)
            args = [.. args, $"--{MigrationSettings.MigrateSetting}=false"]; // the last of a setting wins
        var startup = new StartupFailureLog();
        await using var app = ServerHost.Build(args, services => services.AddLogging(logging => logging.AddFilter(startup.Allows)));
        // Settings are checked before the host starts, so a bad one is one clear line, not a
        // "hosting failed to start" log with a stack trace.
        app.Services.GetRequiredService<IStartupValidator>().Validate();
        await PrepareDatabaseAsync(app);
        try
        {
            await app.StartAsync(); // what fails here (a port in use) is RunAsync's one line
        }
        catch
        {
            // The hosted services that did start (the feed, mail, the sweeper) are stopped before the
            // host is disposed, so none of their loops meets a disposed provider and logs it.
            await app.StopAsync();
            throw;
        }
        startup.Started = true;
        await app.WaitForShutdownAsync();
        return 0;
    }

    /// <summary>
    /// Keeps the host's own report of a failed start ("Hosting failed to start", with the stack
    /// trace) off the console: the exception reaches <see cref="RunAsync"/>, which says it in one
    /// line, or, if it is one it does not know, the runtime prints it whole. Only until the start.
    /// </summary>
    private sealed class StartupFailureLog
    {
        private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

        public volatile bool Started;

        public bool Allows(string? provider, string? category, LogLevel level)
            => Started || level < LogLevel.Error || category != HostCategory;
    }

    private static async Task<int> FlushExpiredTokensAsync(string[] args)
    {
        await using var app = ServerHost.Build(args);
        await PrepareDatabaseAsync(app);
        var swept = await Tessera.AspNetCore.Revocation.ExpiredTokenSweeper.SweepOnceAsync(
            app.Services.GetRequiredService<IServiceScopeFactory>(), app.Services.GetRequiredService<TimeProvider>());
        foreach (var (description, removed) in swept)
            Console.WriteLine($"Deleted {removed} {description}.");
        return 0;
    }

    /// <summary>
    /// The database as this version needs it, before a verb uses it: migrated (<see cref="MigrateAsync"/>),
    /// or, with <c>Tessera:Storage:Migrate=false</c>, left alone and waited for until it is current.
    /// </summary>
    internal static async Task PrepareDatabaseAsync(WebApplication app)
    {
        var settings = MigrationSettings.Read(app.Configuration);
        if (settings.Migrate)
        {
            await MigrateAsync(app);
            return;
        }
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ServerDbContext>();
        await OpenBareAsync(db);
        await SchemaWait.UntilCurrentAsync(db, settings.SchemaWaitTimeout, MigrationLogger(app));
    }

    /// <summary>
    /// Brings the database to this version's schema and data (<see cref="DatabaseMigrator"/>) under
    /// <see cref="MigrationLock"/>, so that of instances started together one migrates and the others
    /// find the database current. What it applied.
    /// </summary>
    internal static async Task<DatabaseMigrationResult> MigrateAsync(WebApplication app)
    {
        var settings = MigrationSettings.Read(app.Configuration);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ServerDbContext>();
        await OpenBareAsync(db);
        if (db.Database.IsSqlite())
        {
            // WAL lets readers go on while one writer commits: the server's many requests against
            // one file. It is a property of the file, so setting it once is enough.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        }
        await using (await MigrationLock.AcquireAsync(db, settings.SchemaWaitTimeout, MigrationLogger(app)))
            return await DatabaseMigrator.MigrateAsync(db);
    }

    /// <summary>
    /// Opened bare first (ADO.NET, beneath EF's logging), so that a database that cannot be opened
    /// is the one line of RunAsync and not also an EF error log.
    /// </summary>
    private static async Task OpenBareAsync(ServerDbContext db)
    {
        var connection = db.Database.GetDbConnection(); // the context's own: opened and closed, not disposed
        await connection.OpenAsync();
        await connection.CloseAsync();
    }

    private static ILogger MigrationLogger(WebApplication app)
        => app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Tessera.Server.Migration");

    private static int Fail(string line)
    {
        Console.Error.WriteLine(line);
        return 1;
    }
}

/// <summary>A user error of a CLI verb: printed as "Error: ...", exit status 1, no stack trace.</summary>
public sealed class CliException(string message) : Exception(message);
