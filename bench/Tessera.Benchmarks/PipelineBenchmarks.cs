using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Tessera.Core.Credentials;
using Tessera.Server;
using Tessera.Server.Cli;

namespace Tessera.Benchmarks;

/// <summary>
/// The Tessera server's whole request pipeline in process (no sockets, no HTTP parsing: the host's
/// own request handling called directly, as Kestrel calls it): what a request costs in Tessera's
/// code and ASP.NET Core's middleware, and what it allocates. <c>PingAnonymous</c>
/// is the baseline: the difference to it is what authenticating and authorizing a request adds.
/// The refusals (issue 20) are what a flood of garbage credentials costs: no credential on a
/// protected endpoint, a JWT signed with another key, and DRF tokens and API keys of the right
/// shape but random (a different one per request, from a pool of 65,536 made at setup: none was
/// minted here, so each is refused at its seal, with no read).
/// </summary>
[MemoryDiagnoser]
public class PipelineBenchmarks
{
    private string _directory = null!;
    private WebApplication _app = null!;
    private InProcessServer _server = null!;
    private string _bearer = null!;
    private string _forgedBearer = null!;
    private string[] _randomTokens = null!;
    private string[] _randomApiKeys = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("tessera-pipeline-").FullName;
        string[] settings =
        [
            $"--ConnectionStrings:Tessera=Data Source={Path.Combine(_directory, "tessera.db")}",
            "--Tessera:Jwt:SigningKey=benchmark-signing-key-0123456789-0123456789-0123456789",
            "--Tessera:Passwords:Iterations=1000",
            "--Tessera:Throttling:Rates:anon=", "--Tessera:Throttling:Rates:user=",
            "--environment=Production", "--Logging:LogLevel:Default=Warning",
        ];
        _app = ServerHost.Build(settings, services => services.AddSingleton<IServer, InProcessServer>());
        TesseraCli.MigrateAsync(_app).GetAwaiter().GetResult();
        _app.StartAsync().GetAwaiter().GetResult();
        _server = (InProcessServer)_app.Services.GetRequiredService<IServer>();
        var login = """{"username": "bench", "password": "Bench-Pass-12345"}""";
        if (_server.Send("POST", "/api/register/", null, login).Status != 201)
            throw new InvalidOperationException("registration failed");
        var pair = _server.Send("POST", "/api/token/", null, login);
        using var body = JsonDocument.Parse(pair.Body);
        var access = body.RootElement.GetProperty("access").GetString()!;
        _bearer = "Bearer " + access;
        _forgedBearer = "Bearer " + Forge(access);
        const int pool = 1 << 16;
        _randomTokens = [.. Enumerable.Range(0, pool).Select(_ => "Token " + OpaqueSecret.Generate(OpaqueSecret.LowerHex, 40))];
        _randomApiKeys = [.. Enumerable.Range(0, pool).Select(_ =>
            $"tk_{OpaqueSecret.Generate(OpaqueSecret.LowerAlphanumeric, 8)}_{OpaqueSecret.Generate(OpaqueSecret.Alphanumeric, 32)}")];
        if (HelloWithJwt() != 200 || PingAnonymous() != 200 || HelloAnonymous() != 401 || HelloForgedJwt() != 401
            || HelloRandomDrfToken() != 401 || HelloRandomApiKey() != 401 || AdminOnlyWithJwt() != 403)
            throw new InvalidOperationException("the pipeline does not answer as expected");
    }

    /// <summary>The token's header and claims, signed with a key of the forger's: well formed, valid but for its signature.</summary>
    private static string Forge(string token)
    {
        var signed = token[..token.LastIndexOf('.')];
        var mac = HMACSHA256.HashData(RandomNumberGenerator.GetBytes(32), Encoding.ASCII.GetBytes(signed));
        return signed + "." + Convert.ToBase64String(mac).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>
    /// Bytes allocated per request of each kind, in all and by type: the runtime samples one
    /// allocation per 100 KiB (GCAllocationTick), so over many requests the shares are close.
    /// </summary>
    public void PrintAllocations()
    {
        const int requests = 200_000;
        (string Name, Func<int> Send)[] kinds =
        [
            ("/ping/, anonymous", PingAnonymous), ("/ping/ with a JWT", PingWithJwt), ("/api/hello/ with a JWT", HelloWithJwt),
            ("/api/hello/, anonymous (401)", HelloAnonymous), ("/api/hello/, forged JWT (401)", HelloForgedJwt),
            ("/api/hello/, random DRF tokens (401)", HelloRandomDrfToken), ("/api/hello/, random API keys (401)", HelloRandomApiKey),
            ("/api/admin-only/ with a JWT, not staff (403)", AdminOnlyWithJwt),
        ];
        foreach (var (name, send) in kinds)
        {
            for (var i = 0; i < 5_000; i++)
                send();
            using var listener = new AllocationListener();
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < requests; i++)
                send();
            var total = GC.GetAllocatedBytesForCurrentThread() - before;
            Console.WriteLine($"== {name}: {total / requests:N0} bytes per request (the in-process server's own request objects included)");
            foreach (var (type, bytes) in listener.Counts.OrderByDescending(kv => kv.Value).Take(25))
                Console.WriteLine($"{bytes / (double)requests,8:F1}  {type}");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _app.StopAsync().GetAwaiter().GetResult();
        ((IAsyncDisposable)_app).DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public int PingAnonymous() => Send("/ping/", null);

    [Benchmark]
    public int PingWithJwt() => Send("/ping/", _bearer);

    [Benchmark]
    public int HelloWithJwt() => Send("/api/hello/", _bearer);

    [Benchmark]
    public int HelloAnonymous() => Send("/api/hello/", null);

    [Benchmark]
    public int HelloForgedJwt() => Send("/api/hello/", _forgedBearer);

    [Benchmark]
    public int HelloRandomDrfToken() => Send("/api/hello/", _randomTokens[_next++ & (_randomTokens.Length - 1)]);

    [Benchmark]
    public int HelloRandomApiKey() => _server.Send("GET", "/api/hello/", null, null, ("X-API-Key", _randomApiKeys[_next++ & (_randomApiKeys.Length - 1)])).Status;

    [Benchmark]
    public int AdminOnlyWithJwt() => Send("/api/admin-only/", _bearer);

    private int Send(string path, string? authorization) => _server.Send("GET", path, authorization, null).Status;
}

/// <summary>An <see cref="IServer"/> that serves requests handed to it in process, synchronously where the app is.</summary>
public sealed class InProcessServer : IServer
{
    private Func<IFeatureCollection, Task>? _process;

    public IFeatureCollection Features { get; } = new FeatureCollection();

    public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken) where TContext : notnull
    {
        _process = async features =>
        {
            var context = application.CreateContext(features);
            try
            {
                await application.ProcessRequestAsync(context);
                application.DisposeContext(context, null);
            }
            catch (Exception e)
            {
                application.DisposeContext(context, e);
                throw;
            }
        };
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() { }

    public (int Status, byte[] Body) Send(string method, string path, string? authorization, string? json, (string Name, string Value)? header = null)
    {
        IHeaderDictionary headers = new HeaderDictionary { ["Host"] = "localhost" };
        if (authorization is not null)
            headers.Authorization = authorization;
        if (header is var (name, value))
            headers[name] = value;
        var request = new HttpRequestFeature { Method = method, Path = path, Protocol = "HTTP/1.1", Scheme = "http", Headers = headers };
        if (json is not null)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(json);
            headers.ContentType = "application/json";
            headers.ContentLength = bytes.Length;
            request.Body = new MemoryStream(bytes);
        }
        var body = new MemoryStream();
        var response = new HttpResponseFeature();
        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(request);
        features.Set<IHttpResponseFeature>(response);
        features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(body));
        features.Set<IHttpConnectionFeature>(new HttpConnectionFeature { RemoteIpAddress = System.Net.IPAddress.Loopback, LocalIpAddress = System.Net.IPAddress.Loopback });
        _process!(features).GetAwaiter().GetResult();
        return (response.StatusCode, body.ToArray());
    }
}

/// <summary>Counts the runtime's allocation samples (one per 100 KiB allocated) by type.</summary>
internal sealed class AllocationListener : System.Diagnostics.Tracing.EventListener
{
    public readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> Counts = new();

    protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
            EnableEvents(source, System.Diagnostics.Tracing.EventLevel.Verbose, (System.Diagnostics.Tracing.EventKeywords)0x1);
    }

    protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs e)
    {
        if (e.EventName != "GCAllocationTick_V4" || e.Payload is null) return;
        var type = (string)e.Payload[e.PayloadNames!.IndexOf("TypeName")]!;
        Counts.AddOrUpdate(type, 100 * 1024, (_, n) => n + 100 * 1024);
    }
}
