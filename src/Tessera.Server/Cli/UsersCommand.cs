using Tessera.Core.Users;

namespace Tessera.Server.Cli;

/// <summary>
/// <c>tessera users deactivate|activate|revoke|delete USERNAME</c> and <c>tessera users set USERNAME
/// [--staff true|false] [--premium true|false]</c>: written to the database with an event, so a
/// server running on the same database applies it within its feed interval.
/// </summary>
public static class UsersCommand
{
    public const string Usage = "users deactivate|activate|revoke|delete USERNAME | users set USERNAME [--staff true|false] [--superuser true|false] [--premium true|false]";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 2 || args[1].StartsWith('-'))
            throw new CliException("usage: tessera " + Usage);
        var (action, username) = (args[0], args[1]);
        bool? staff = null, superuser = null, premium = null;
        var hostArgs = new List<string>();
        for (var i = 2; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--staff": staff = Flag(args, ref i); break;
                case "--superuser": superuser = Flag(args, ref i); break;
                case "--premium": premium = Flag(args, ref i); break;
                default: hostArgs.Add(args[i]); break;
            }
        }

        await using var app = ServerHost.Build([.. hostArgs]);
        await TesseraCli.MigrateAsync(app);
        await using var scope = app.Services.CreateAsyncScope();
        var admin = scope.ServiceProvider.GetRequiredService<UserAdministration>();
        var found = action switch
        {
            "deactivate" => await admin.SetActiveAsync(username, false),
            "activate" => await admin.SetActiveAsync(username, true),
            "revoke" => await admin.RevokeAllAsync(username),
            "delete" => await admin.DeleteAsync(username),
            "set" => await admin.SetRolesAsync(username, staff, superuser, premium),
            _ => throw new CliException("usage: tessera " + Usage),
        };
        if (!found)
            throw new CliException($"No user named '{username}'.");
        Console.WriteLine(action switch
        {
            "deactivate" => $"Deactivated {username}: every login of theirs is refused.",
            "activate" => $"Activated {username}.",
            "revoke" => $"Revoked every login of {username}.",
            "delete" => $"Deleted {username}.",
            _ => $"Updated {username}.",
        });
        return 0;
    }

    private static bool Flag(string[] args, ref int i)
        => ++i < args.Length && bool.TryParse(args[i], out var value) ? value : throw new CliException($"{args[i - 1]} takes true or false.");
}
