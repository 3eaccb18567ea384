using System.CommandLine;
using Tessera.Core.Users;
using Tessera.Server.Data;

namespace Tessera.Server.Cli;

/// <summary>
/// <c>tessera users deactivate|activate|revoke|delete USERNAME</c> and <c>tessera users set USERNAME
/// [--staff true|false] [--premium true|false] [--email-verified true|false]</c>: written to the database with an event, so a
/// server running on the same database applies it within its feed interval.
/// </summary>
public static class UsersCommand
{
    /// <summary>The verb and its five sub-verbs; the rest of each command line goes to the host.</summary>
    public static Command Create()
    {
        var users = new Command("users", "change a user at once, on the database a running server reads: its memory follows within half a second");
        users.Subcommands.Add(Verb("deactivate", "refuse every login of the user, for good: after an activate, only new logins work"));
        users.Subcommands.Add(Verb("activate", "let the user log in again"));
        users.Subcommands.Add(Verb("revoke", "log the user out everywhere (every token, session and DRF token)"));
        users.Subcommands.Add(Verb("delete", "delete the user and what is theirs"));
        var staff = new Option<bool?>("--staff") { Description = "true or false: Django's is_staff (IsAdminUser)" };
        var superuser = new Option<bool?>("--superuser") { Description = "true or false: Django's is_superuser" };
        var premium = new Option<bool?>("--premium") { Description = "true or false: the sample's premium flag" };
        var emailVerified = new Option<bool?>("--email-verified") { Description = "true or false: whether the user's email counts as verified (users imported from Django start unverified)" };
        users.Subcommands.Add(Verb("set", "set the user's roles and email verification", staff, superuser, premium, emailVerified));
        return users;

        Command Verb(string name, string description, params Option<bool?>[] flags)
        {
            var username = new Argument<string>("USERNAME") { Description = "the user's name" };
            var command = new Command(name, description) { username };
            foreach (var flag in flags)
                command.Options.Add(flag);
            command.TreatUnmatchedTokensAsErrors = false;
            command.SetAction((result, _) => RunAsync(name, result.GetValue(username)!,
                flags.Length == 0 ? default : (result.GetValue(flags[0]), result.GetValue(flags[1]), result.GetValue(flags[2]), result.GetValue(flags[3])),
                [.. result.UnmatchedTokens]));
            return command;
        }
    }

    /// <summary>An administrator vouching for the address proves it, as its verification link would.</summary>
    private static void SetEmailVerified(User user, bool verified)
    {
        user.EmailVerified = verified;
        if (verified)
            user.EmailChangeUnverified = false;
    }

    private static async Task<int> RunAsync(string action, string username, (bool? Staff, bool? Superuser, bool? Premium, bool? EmailVerified) roles, string[] hostArgs)
    {
        await using var app = ServerHost.Build(hostArgs);
        await TesseraCli.PrepareDatabaseAsync(app);
        await using var scope = app.Services.CreateAsyncScope();
        var admin = scope.ServiceProvider.GetRequiredService<UserAdministration>();
        var found = action switch
        {
            "deactivate" => await admin.SetActiveAsync(username, false),
            "activate" => await admin.SetActiveAsync(username, true),
            "revoke" => await admin.RevokeAllAsync(username),
            "delete" => await admin.DeleteAsync(username),
            _ => await admin.SetRolesAsync(username, roles.Staff, roles.Superuser)
                 && (roles.Premium is not { } premium || await admin.UpdateAsync(username, u => ((ServerUser)u).IsPremium = premium))
                 && (roles.EmailVerified is not { } verified || await admin.UpdateAsync(username, u => SetEmailVerified(u, verified))),
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
}
