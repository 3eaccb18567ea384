using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tessera.Core.Jwt;

namespace Tessera.ResourceServer.Tests.Infrastructure;

/// <summary>
/// What a resource service sees of Tessera, in-process on loopback: discovery, a JWKS the test
/// chooses (each fetch counted), and <c>/api/revocations/stream</c>, whose lines the test writes
/// (<see cref="SendAsync"/>) and whose connection it can drop (<see cref="DropConnection"/>). Tokens
/// are signed by keys the test makes (<see cref="Mint"/>).
/// </summary>
public sealed class FakeTessera : IAsyncDisposable
{
    public const string ApiKey = "tk_test_revocations";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, JwsSigningKey> _keys = new();
    private readonly ConcurrentQueue<string?> _lastEventIds = new();
    private Channel<string?> _stream = Channel.CreateUnbounded<string?>();
    private int _jwksFetches;
    private int _discoveryFetches;
    private int _connections;

    private FakeTessera(WebApplication app) => _app = app;

    public string Authority { get; private set; } = "";

    /// <summary>Keys that sign but are not published (unknown kids) live here too.</summary>
    public Dictionary<string, JwsSigningKey> AllKeys { get; } = [];

    public int JwksFetches => Volatile.Read(ref _jwksFetches);

    public int DiscoveryFetches => Volatile.Read(ref _discoveryFetches);

    /// <summary>The JWKS's <c>Cache-Control</c> header (none when null), as Tessera sends its <c>JwksMaxAge</c>.</summary>
    public string? CacheControl { get; set; }

    /// <summary>
    /// When set, a JWKS answer reads its keys, signals <see cref="JwksHeld"/>, and waits for this task before
    /// it is sent: a fetch under way that has already read the keys.
    /// </summary>
    public Task? HoldJwks { get; set; }

    /// <summary>Completed when a JWKS answer is held by <see cref="HoldJwks"/>.</summary>
    public TaskCompletionSource JwksHeld { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>The <c>Last-Event-ID</c> of each connection, in order (null: none sent).</summary>
    public IReadOnlyList<string?> LastEventIds => [.. _lastEventIds];

    public static async Task<FakeTessera> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeTessera(app);
        app.MapGet("/.well-known/openid-configuration", () =>
        {
            Interlocked.Increment(ref fake._discoveryFetches);
            return Results.Json(new { issuer = fake.Authority, jwks_uri = fake.Authority + "/.well-known/jwks.json" });
        });
        app.MapGet("/.well-known/jwks.json", async (HttpResponse response) =>
        {
            Interlocked.Increment(ref fake._jwksFetches);
            if (fake.CacheControl is { } cacheControl)
                response.Headers.CacheControl = cacheControl;
            var keys = fake._keys.Values.Select(k => k.PublicJwk).ToArray();
            if (fake.HoldJwks is { } hold)
            {
                fake.JwksHeld.TrySetResult();
                await hold;
            }
            return Results.Json(new { keys });
        });
        app.MapGet("/api/revocations/stream", fake.StreamAsync);
        await app.StartAsync();
        fake.Authority = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().TrimEnd('/');
        return fake;
    }

    /// <summary>A new ES256 key; published in the JWKS unless <paramref name="publish"/> is false.</summary>
    public JwsSigningKey AddKey(string kid, bool publish = true, string algorithm = "ES256")
    {
        var key = JwsSigningKey.Generate(algorithm, kid);
        AllKeys[kid] = key;
        if (publish)
            _keys[kid] = key;
        return key;
    }

    public void Publish(string kid) => _keys[kid] = AllKeys[kid];

    /// <summary>Takes <paramref name="kid"/> out of the JWKS (it still signs <see cref="Mint"/>'s tokens).</summary>
    public void Unpublish(string kid) => _keys.TryRemove(kid, out _);

    /// <summary>A login id in Tessera's form (28 lowercase hex), the same for the same name.</summary>
    public static string Lid(string name)
        => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..Tessera.Core.Revocation.LoginId.Length];

    /// <summary>An access token of <paramref name="userId"/> signed by <paramref name="kid"/>, with Tessera's claims.</summary>
    public string Mint(string kid, long userId = 42, string? loginId = null, long? epoch = 1, string tokenType = "access", string? issuer = null, TimeSpan? lifetime = null)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("token_type", tokenType);
            w.WriteNumber("exp", now + (long)(lifetime ?? TimeSpan.FromMinutes(15)).TotalSeconds);
            w.WriteNumber("iat", now);
            w.WriteString("jti", Guid.NewGuid().ToString("N"));
            w.WriteNumber("user_id", userId);
            w.WriteString("username", $"user{userId}");
            w.WriteString("email", $"user{userId}@example.com");
            w.WriteString("iss", issuer ?? Authority);
            if (loginId is not null)
                w.WriteString("lid", loginId);
            if (epoch is { } e)
                w.WriteNumber("epoch", e);
            w.WriteEndObject();
        }
        return new JwsCodec(AllKeys[kid]).Encode(buffer.ToArray());
    }

    /// <summary>Writes raw lines to the current stream connection (each followed by a newline).</summary>
    public async Task SendAsync(params string[] lines)
    {
        foreach (var line in lines)
            await Volatile.Read(ref _stream).Writer.WriteAsync(line);
    }

    public Task SendEventAsync(string type, object data, long id)
        => SendAsync($"id: {id}", $"event: {type}", "data: " + JsonSerializer.Serialize(data), "");

    public Task SendReadyAsync(long id = 0) => SendEventAsync("ready", new { last_event_id = id }, id);

    /// <summary>Ends the current connection; the next one gets a fresh channel.</summary>
    public void DropConnection() => Interlocked.Exchange(ref _stream, Channel.CreateUnbounded<string?>()).Writer.TryComplete();

    private async Task StreamAsync(HttpContext context)
    {
        if (context.Request.Headers["X-API-Key"] != ApiKey)
        {
            context.Response.StatusCode = 401;
            return;
        }
        _lastEventIds.Enqueue(context.Request.Headers.TryGetValue("Last-Event-ID", out var id) ? id.ToString() : null);
        Interlocked.Increment(ref _connections);
        var channel = Volatile.Read(ref _stream);
        context.Response.ContentType = "text/event-stream";
        await context.Response.Body.FlushAsync(context.RequestAborted);
        try
        {
            await foreach (var line in channel.Reader.ReadAllAsync(context.RequestAborted))
            {
                await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        DropConnection();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
