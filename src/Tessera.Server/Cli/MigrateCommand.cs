using System.CommandLine;

namespace Tessera.Server.Cli;

/// <summary>
/// <c>tessera migrate</c>: brings the database to this version's schema and data, says what it
/// applied, and exits; the deployment step of its own (a Kubernetes Job or init container) before
/// instances that serve with <c>--no-migrate</c>. Safe beside instances that migrate themselves:
/// it takes the same lock.
/// </summary>
public static class MigrateCommand
{
    public static Command Create()
    {
        var command = new Command("migrate", "bring the database to this version's schema and data (migrations, then normalized usernames), say what was applied, and exit: " +
            "a deployment step of its own (a Kubernetes Job or init container) before instances started with serve --no-migrate; any setting, as for serve")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction((result, _) => RunAsync([.. result.UnmatchedTokens]));
        return command;
    }

    public static async Task<int> RunAsync(string[] hostArgs)
    {
        await using var app = ServerHost.Build(hostArgs);
        var result = await TesseraCli.MigrateAsync(app);
        foreach (var migration in result.AppliedMigrations)
            Console.WriteLine($"Applied migration {migration}.");
        if (result.NormalizedUsernames > 0)
            Console.WriteLine($"Normalized {result.NormalizedUsernames} username(s) to NFKC.");
        if (result.WasCurrent)
            Console.WriteLine("The database is current: nothing to apply.");
        return 0;
    }
}
