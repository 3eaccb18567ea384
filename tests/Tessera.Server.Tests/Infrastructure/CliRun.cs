using Tessera.Server.Cli;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>
/// The server's CLI run in this process with stdout and stderr captured. The console is the process's,
/// so its tests are in <see cref="Endpoints.CliCollection"/>, which runs them one at a time.
/// </summary>
internal static class CliRun
{
    /// <summary>Runs <c>tessera</c> with <paramref name="args"/>; gives up (and fails) after 60 s rather than hang.</summary>
    public static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        var originalOut = Console.Out;
        var originalErr = Console.Error;
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try
        {
            var run = TesseraCli.RunAsync(args);
            var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(60)));
            Assert.True(finished == run, $"tessera {string.Join(' ', args)} did not exit within 60 s:\n{stdout}\n{stderr}");
            var exit = await run;
            return (exit, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(originalOut);
            Console.SetError(originalErr);
        }
    }
}
