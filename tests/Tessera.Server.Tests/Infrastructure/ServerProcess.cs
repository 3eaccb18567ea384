using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>
/// The server as its own OS process (<c>dotnet tessera.dll serve</c>), for what only a real process
/// shows: a kill without a graceful stop, another process (the CLI) changing the database under it.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly string _connectionString;
    private readonly int _port = FreePort();
    private Process? _process;
    private readonly System.Text.StringBuilder _output = new();

    /// <summary>What the server printed, for a failing test's message.</summary>
    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public ServerProcess(string connectionString) => _connectionString = connectionString;

    public Uri BaseAddress => new($"http://127.0.0.1:{_port}");

    public string[] SettingsArgs =>
    [
        $"--ConnectionStrings:Tessera={_connectionString}",
        $"--Tessera:Jwt:SigningKey={TesseraServer.SigningKey}",
        "--Tessera:Passwords:Iterations=1000",
        "--environment=Production",
    ];

    public async Task StartAsync()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "tessera.dll"));
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add($"--urls=http://127.0.0.1:{_port}");
        foreach (var arg in SettingsArgs)
            start.ArgumentList.Add(arg);
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var client = CreateClient();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"server exited with {_process.ExitCode}");
            try
            {
                if ((await client.GetAsync("/ping/")).IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException) { }
            await Task.Delay(100);
        }
        throw new TimeoutException("server did not answer /ping/ within 30 s");
    }

    /// <summary>SIGKILL: no graceful stop, no flushing, nothing after the last response.</summary>
    public async Task KillAsync()
    {
        _process!.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
    }

    public HttpClient CreateClient() => new(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = BaseAddress };

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
            await KillAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
