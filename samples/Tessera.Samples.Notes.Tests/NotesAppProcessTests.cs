using System.Diagnostics;

namespace Tessera.Samples.Notes.Tests;

/// <summary>The sample app as its own OS process, as a developer runs it.</summary>
public sealed class NotesAppProcessTests
{
    [Theory]
    [InlineData("--Tessera:Jwt:AccessTokenLifetime=banana", "Configuration error: Failed to convert configuration value 'banana' at 'Tessera:Jwt:AccessTokenLifetime'")]
    [InlineData("--Tessera:Jwt:AccessTokenLifetime=-00:01:00", "Configuration error: Tessera:Jwt:AccessTokenLifetime")]
    public async Task A_bad_setting_stops_the_start_with_one_line_and_exit_status_1(string setting, string expected)
    {
        var directory = Directory.CreateTempSubdirectory("tessera-notes-process-").FullName;
        try
        {
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = directory,
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            foreach (var argument in new[]
                     {
                         Path.Combine(AppContext.BaseDirectory, "Tessera.Samples.Notes.dll"),
                         "--urls=http://127.0.0.1:0",
                         $"--ConnectionStrings:Notes=Data Source={Path.Combine(directory, "notes.db")}",
                         "--Tessera:Jwt:SigningKey=notes-test-signing-key-0123456789-0123456789",
                         setting,
                     })
                start.ArgumentList.Add(argument);
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            var errors = (await stderr).Trim();
            Assert.Equal(1, process.ExitCode);
            Assert.StartsWith(expected, errors, StringComparison.Ordinal);
            Assert.DoesNotContain("\n", errors); // one line on standard error: no stack trace
            Assert.DoesNotContain("Unhandled exception", errors, StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled exception", await stdout, StringComparison.Ordinal);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }
}
