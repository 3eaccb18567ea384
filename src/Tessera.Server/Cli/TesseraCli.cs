using Microsoft.Extensions.Options;
using Tessera.Data;
using Tessera.Server.Data;

namespace Tessera.Server.Cli;

/// <summary>
/// <c>tessera [serve|createsuperuser|flushexpiredtokens] [options]</c>, after Django's manage.py.
/// Options a verb does not know go on to the host (<c>--urls</c>, <c>--environment</c>, any setting).
/// </summary>
public static class TesseraCli
{
    public const string Usage = """
        usage: tessera [verb] [options]
          serve (default)        run the server; host options such as --urls http://127.0.0.1:8000, --environment Development
          createsuperuser        --username NAME --email EMAIL [--no-input]; the password comes from
                                 TESSERA_SUPERUSER_PASSWORD, or is asked for
          flushexpiredtokens     delete blacklist rows, sessions, tokens and keys that have expired, and say how many
          users deactivate|activate|revoke|delete USERNAME
                                 take a user's logins back at once (deactivate, revoke, delete) or let them in again
          users set USERNAME [--staff true|false] [--superuser true|false] [--premium true|false]
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var verb = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "serve";
        var rest = args.Length > 0 && !args[0].StartsWith('-') ? args[1..] : args;
        try
        {
            return verb switch
            {
                "serve" => await ServeAsync(rest),
                "createsuperuser" => await CreateSuperuserCommand.RunAsync(rest),
                "flushexpiredtokens" => await FlushExpiredTokensAsync(rest),
                "users" => await UsersCommand.RunAsync(rest),
                "help" or "--help" or "-h" => Help(0),
                _ => Help(2),
            };
        }
        catch (OptionsValidationException e)
        {
            await Console.Error.WriteLineAsync("Configuration error: " + string.Join(" ", e.Failures));
            return 1;
        }
        catch (DatabaseMigrationException e)
        {
            await Console.Error.WriteLineAsync("Database error: " + e.Message);
            return 1;
        }
        catch (CliException e)
        {
            await Console.Error.WriteLineAsync("Error: " + e.Message);
            return 1;
        }
    }

    private static async Task<int> ServeAsync(string[] args)
    {
        await using var app = ServerHost.Build(args);
        // Settings are checked before the host starts, so a bad one is one clear line, not a
        // "hosting failed to start" log with a stack trace.
        app.Services.GetRequiredService<IStartupValidator>().Validate();
        await MigrateAsync(app);
        await app.RunAsync();
        return 0;
    }

    private static async Task<int> FlushExpiredTokensAsync(string[] args)
    {
        await using var app = ServerHost.Build(args);
        await MigrateAsync(app);
        var swept = await Tessera.AspNetCore.Hosting.ExpiredTokenSweeper.SweepOnceAsync(
            app.Services.GetRequiredService<IServiceScopeFactory>(), app.Services.GetRequiredService<TimeProvider>());
        foreach (var (description, removed) in swept)
            Console.WriteLine($"Deleted {removed} {description}.");
        return 0;
    }

    internal static async Task MigrateAsync(WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await DatabaseMigrator.MigrateAsync(scope.ServiceProvider.GetRequiredService<ServerDbContext>());
    }

    private static int Help(int exitCode)
    {
        (exitCode == 0 ? Console.Out : Console.Error).WriteLine(Usage);
        return exitCode;
    }
}

/// <summary>A user error of a CLI verb: printed as "Error: ...", exit status 1, no stack trace.</summary>
public sealed class CliException(string message) : Exception(message);
