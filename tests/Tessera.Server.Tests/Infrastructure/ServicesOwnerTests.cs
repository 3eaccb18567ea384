using System.Diagnostics;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>
/// scripts/services.sh with TESSERA_SERVICES_OWNER: the servers a test process started end with it,
/// however it ends. Before, a test host that the runner killed left its PostgreSQL and Redis running.
/// </summary>
[Trait("Storage", "Sqlite")]
public sealed class ServicesOwnerTests
{
    [Fact]
    public async Task Servers_started_for_a_process_stop_and_their_folder_goes_when_it_is_killed()
    {
        using var owner = Process.Start(new ProcessStartInfo("sleep", "120"))!;
        var dir = Directory.CreateTempSubdirectory("tessera-services-owner-").FullName;
        try
        {
            var redis = await ServicesAsync(owner.Id, "redis", "start", dir);
            Assert.Matches(@"^127\.0\.0\.1:\d+$", redis);
            var pid = int.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "redis", "redis.pid")), System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(IsRunning(pid));

            await Task.Delay(1500);
            Assert.True(IsRunning(pid), "the server stopped while its owner still runs");

            owner.Kill();
            await owner.WaitForExitAsync();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while ((IsRunning(pid) || Directory.Exists(dir)) && DateTime.UtcNow < deadline)
                await Task.Delay(100);
            Assert.False(IsRunning(pid), "redis-server outlived the process that owned it");
            Assert.False(Directory.Exists(dir), "its folder outlived the process that owned it");
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                await ServicesAsync(null, "stop", dir, null);
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static async Task<string> ServicesAsync(int? owner, string what, string? verb, string? dir)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(PrivateServices.RepositoryRoot, "scripts", "services.sh"));
        foreach (var argument in new[] { what, verb, dir })
            if (argument is not null)
                start.ArgumentList.Add(argument);
        if (owner is { } id)
            start.Environment["TESSERA_SERVICES_OWNER"] = id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"services.sh {what} {verb}: {await stderr}");
        return (await stdout).Trim();
    }
}
