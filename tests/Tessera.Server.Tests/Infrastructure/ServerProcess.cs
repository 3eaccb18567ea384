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
    private readonly string[] _settings;
    private readonly int _port = FreePort();
    private Process? _process;
    private readonly System.Text.StringBuilder _output = new();

    /// <summary>What the server printed, for a failing test's message.</summary>
    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <param name="settings">More settings, as <c>--Key=Value</c> (<c>--Tessera:Storage:Provider=Postgres</c>).</param>
    public ServerProcess(string connectionString, params string[] settings) => (_connectionString, _settings) = (connectionString, settings);

    public Uri BaseAddress => new($"http://127.0.0.1:{_port}");

    public string[] SettingsArgs =>
    [
        $"--ConnectionStrings:Tessera={_connectionString}",
        $"--Tessera:Jwt:SigningKey={TesseraServer.SigningKey}",
        "--Tessera:Passwords:Iterations=1000",
        "--environment=Production",
        .. _settings,
    ];

    /// <summary>Starts it and waits until it answers <c>/ping/</c>; throws, with what it printed, if it exits or does not answer within <paramref name="within"/> (30 s).</summary>
    public async Task StartAsync(TimeSpan? within = null)
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
        var limit = within ?? TimeSpan.FromSeconds(30);
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync(); // the rest of what it printed
                throw new InvalidOperationException($"server exited with {_process.ExitCode}:\n{Output}");
            }
            try
            {
                if ((await client.GetAsync("/ping/")).IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException) { }
            await Task.Delay(100);
        }
        throw new TimeoutException($"server did not answer /ping/ within {limit.TotalSeconds:0} s:\n{Output}");
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
