using Microsoft.Extensions.Options;

namespace Tessera.AspNetCore.Hosting;

/// <summary>
/// A Tessera setting that is missing or wrong stops the start: the host throws the validation's
/// exception out of <c>app.Run()</c>. Unhandled, the runtime would print it with its stack trace
/// and abort (exit 134), burying the one sentence that names the setting. This says that sentence
/// on standard error and exits with status 1, as the server's CLI does; any other unhandled
/// exception is left to the runtime. Installed once per process, by <c>AddTessera</c>.
/// </summary>
internal static class ConfigurationErrorExit
{
    private static int _installed;

    public static void Install()
    {
        if (Interlocked.Exchange(ref _installed, 1) == 0)
            AppDomain.CurrentDomain.UnhandledException += OnUnhandledException;
    }

    private static void OnUnhandledException(object sender, UnhandledExceptionEventArgs e)
    {
        if (e.ExceptionObject is Exception exception && Describe(exception) is { } line)
        {
            Console.Error.WriteLine(line);
            Environment.Exit(1);
        }
    }

    /// <summary>"Configuration error: …" for a Tessera setting's failure anywhere in the chain; null for anything else.</summary>
    internal static string? Describe(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case OptionsValidationException invalid when invalid.OptionsType.Namespace?.StartsWith("Tessera.", StringComparison.Ordinal) == true:
                    return "Configuration error: " + string.Join(" ", invalid.Failures);
                // The binder's own words name the setting and the type: "Failed to convert configuration
                // value 'banana' at 'Tessera:Jwt:AccessTokenLifetime' to type 'System.TimeSpan'."
                case InvalidOperationException conversion when conversion.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal)
                    && conversion.Message.Contains(" at 'Tessera:", StringComparison.Ordinal):
                    return "Configuration error: " + conversion.Message;
                case AggregateException aggregate when aggregate.InnerExceptions.Count > 0:
                    return aggregate.InnerExceptions.Select(Describe).FirstOrDefault(d => d is not null);
            }
        }
        return null;
    }
}
