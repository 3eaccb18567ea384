using System.CommandLine;
using System.Text;
using Tessera.Core.Users;

namespace Tessera.Server.Cli;

/// <summary>Django's <c>createsuperuser</c>: an active staff superuser.</summary>
public static class CreateSuperuserCommand
{
    public const string PasswordVariable = "TESSERA_SUPERUSER_PASSWORD";

    /// <summary>The verb: its options, and the rest of the command line for the host.</summary>
    public static Command Create()
    {
        var username = new Option<string?>("--username") { Description = "the new user's name (NFKC-normalized, as Django does)" };
        var email = new Option<string?>("--email") { Description = "the new user's email" };
        var noInput = new Option<bool>("--no-input", "--noinput") { Description = $"ask nothing: --username is required and the password comes from {PasswordVariable}" };
        var command = new Command("createsuperuser", $"create an active staff superuser, as Django's createsuperuser; the password comes from {PasswordVariable}, or is asked for")
        {
            username, email, noInput,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((result, _) => RunAsync(result.GetValue(username), result.GetValue(email), result.GetValue(noInput), [.. result.UnmatchedTokens]));
        return command;
    }

    public static async Task<int> RunAsync(string? username, string? email, bool noInput, string[] hostArgs)
    {
        username ??= noInput ? throw new CliException("--username is required with --no-input.") : Prompt("Username: ");
        email ??= noInput ? "" : Prompt("Email address: ");
        var password = Environment.GetEnvironmentVariable(PasswordVariable);
        if (string.IsNullOrEmpty(password))
        {
            if (noInput)
                throw new CliException($"{PasswordVariable} must be set with --no-input.");
            password = PromptPassword();
        }
        username = UserNormalization.Username(username);
        email = UserNormalization.Email(email);
        if (string.IsNullOrWhiteSpace(username) || username.EnumerateRunes().Count() > User.UsernameMaxLength)
            throw new CliException("Enter a valid username.");

        await using var app = ServerHost.Build(hostArgs);
        await TesseraCli.PrepareDatabaseAsync(app);
        await using var scope = app.Services.CreateAsyncScope();
        if (!await scope.ServiceProvider.GetRequiredService<UserAdministration>().CreateSuperuserAsync(username, email, password))
            throw new CliException("That username is already taken.");
        Console.WriteLine("Superuser created successfully.");
        return 0;
    }

    private static string Value(string[] args, ref int i)
        => ++i < args.Length ? args[i] : throw new CliException($"{args[i - 1]} needs a value.");

    private static string Prompt(string label)
    {
        Console.Write(label);
        return Console.ReadLine()?.Trim() ?? throw new CliException("No input.");
    }

    private static string PromptPassword()
    {
        if (Console.IsInputRedirected)
            return Prompt("Password: ");
        Console.Write("Password: ");
        var password = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter) break;
            if (key.Key == ConsoleKey.Backspace) { if (password.Length > 0) password.Length--; continue; }
            password.Append(key.KeyChar);
        }
        Console.WriteLine();
        var first = password.ToString();
        if (first.Length == 0)
            throw new CliException("Blank passwords aren't allowed.");
        return first;
    }
}
