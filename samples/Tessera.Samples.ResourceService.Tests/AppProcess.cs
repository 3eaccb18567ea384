using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Tessera.Samples.ResourceService.Tests;

/// <summary>
/// One app as its own OS process (<c>dotnet app.dll ...</c>) from its build output, with its
/// environment; stopped by its own pid (and its children), never by name.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private Process? _process;

    private AppProcess(int port) => Port = port;

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>The build output of <paramref name="projectPath"/> (relative to the repository root) in this test's configuration.</summary>
    public static string BuildOutput(string projectPath, string dll)
    {
        // This assembly runs from .../bin/<Configuration>/<tfm>/; the apps were built alongside, in the same configuration.
        var tfmDirectory = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = tfmDirectory.Parent!.Name;
        var root = tfmDirectory;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Tessera.slnx")))
            root = root.Parent;
        var path = Path.Combine(root!.FullName, projectPath, "bin", configuration, tfmDirectory.Name, dll);
        return File.Exists(path) ? path : throw new FileNotFoundException($"build {projectPath} first", path);
    }

    /// <summary>Runs <paramref name="dll"/> with <paramref name="arguments"/> to its end; its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunToEndAsync(string dll, IDictionary<string, string> environment, params string[] arguments)
    {
        var start = Start(dll, environment, arguments);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
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
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>Starts <paramref name="dll"/> on a free port and waits until <c>GET /ping/</c> answers.</summary>
    public static async Task<AppProcess> StartAsync(string dll, IDictionary<string, string> environment, params string[] arguments)
    {
        var app = new AppProcess(FreePort());
        var start = Start(dll, environment, [.. arguments, $"--urls=http://127.0.0.1:{app.Port}"]);
        app._process = Process.Start(start)!;
        app._process.OutputDataReceived += (_, e) => { lock (app._output) app._output.AppendLine(e.Data); };
        app._process.ErrorDataReceived += (_, e) => { lock (app._output) app._output.AppendLine(e.Data); };
        app._process.BeginOutputReadLine();
        app._process.BeginErrorReadLine();

        using var client = app.CreateClient();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (app._process.HasExited)
            {
                await app._process.WaitForExitAsync();
                throw new InvalidOperationException($"{Path.GetFileName(dll)} exited with {app._process.ExitCode}:\n{app.Output}");
            }
            try
            {
                if ((await client.GetAsync("/ping/")).IsSuccessStatusCode)
                    return app;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        await app.DisposeAsync();
        throw new TimeoutException($"{Path.GetFileName(dll)} did not answer /ping/ within 60 s:\n{app.Output}");
    }

    public HttpClient CreateClient() => new(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = BaseAddress };

    /// <summary>SIGKILL, by this process's own id (and its children's).</summary>
    public async Task KillAsync()
    {
        if (_process is null)
            return;
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already exited
        }
        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
    }

    public ValueTask DisposeAsync() => new(KillAsync());

    private static ProcessStartInfo Start(string dll, IDictionary<string, string> environment, string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        return start;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
