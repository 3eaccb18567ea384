using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tessera.Core.Jwt;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>
/// An OpenID Connect provider on Kestrel (http://127.0.0.1:random): its discovery document at
/// <c>/.well-known/openid-configuration</c>, its JWKS at <c>/jwks</c>, RSA keys it signs ID tokens
/// with. Configure a Tessera provider with <c>Authority = fake.Issuer</c>, <c>RequireHttpsMetadata = false</c>
/// and <c>ClientIds = [FakeOpenIdProvider.ClientId]</c>.
/// <code>
/// await using var fake = await FakeOpenIdProvider.StartAsync();
/// string token = fake.IdToken("alice", new() { ["email"] = "a@example.com", ["email_verified"] = true });
/// fake.Rotate();               // a new key (and kid) signs from now on; the old one stays published
/// fake.Unavailable = true;     // every request answers 503
/// Assert.Equal(1, fake.JwksRequests);
/// </code>
/// </summary>
public sealed class FakeOpenIdProvider : IAsyncDisposable
{
    /// <summary>The <c>aud</c> of the tokens <see cref="IdToken"/> issues unless told otherwise.</summary>
    public const string ClientId = "tessera-test-client";

    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly List<JwsSigningKey> _published = [];
    private int _discoveryRequests;
    private int _jwksRequests;
    private int _otherRequests;
    private int _keyNumber;

    private FakeOpenIdProvider(WebApplication app)
    {
        _app = app;
        Key = NewKey();
        _published.Add(Key);
    }

    /// <summary>The provider's URL, no trailing slash (<c>http://127.0.0.1:port</c>): the Authority, and the discovery issuer.</summary>
    public string Issuer { get; private set; } = "";

    /// <summary>What discovery names as <c>issuer</c> (default <see cref="Issuer"/>): e.g. a <c>{tenantid}</c> template.</summary>
    public string? DiscoveryIssuer { get; set; }

    /// <summary>The key tokens are signed with now (RS256, kid <c>key-N</c>).</summary>
    public JwsSigningKey Key { get; private set; }

    /// <summary>The JWKS's <c>Cache-Control</c> header; none when null.</summary>
    public string? CacheControl { get; set; }

    /// <summary>Every request answers 503.</summary>
    public bool Unavailable { get; set; }

    /// <summary>Every request has its connection closed without an answer.</summary>
    public bool DropConnections { get; set; }

    /// <summary>Transforms each JWK before it is published (remove <c>alg</c>, add members); null: as the key writes it.</summary>
    public Func<Dictionary<string, object?>, Dictionary<string, object?>>? JwkShape { get; set; }

    /// <summary>The clock of the default <c>iat</c>/<c>exp</c> (set it to the provider's ShiftedTimeProvider).</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    public int DiscoveryRequests => Volatile.Read(ref _discoveryRequests);

    public int JwksRequests => Volatile.Read(ref _jwksRequests);

    /// <summary>Requests for any other path (a <c>jku</c> a token named, for instance).</summary>
    public int OtherRequests => Volatile.Read(ref _otherRequests);

    /// <summary>An <see cref="IHttpClientFactory"/> whose clients reach this provider (or anything else).</summary>
    public IHttpClientFactory HttpClientFactory { get; } = new SharedHandlerFactory();

    public static async Task<FakeOpenIdProvider> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeOpenIdProvider(app);
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        fake.Issuer = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return fake;
    }

    /// <summary>A new key (and kid) signs from now on; the previous keys stay published, as real providers do.</summary>
    public JwsSigningKey Rotate(bool unpublishPrevious = false)
    {
        lock (_gate)
        {
            if (unpublishPrevious)
                _published.Clear();
            Key = NewKey();
            _published.Add(Key);
            return Key;
        }
    }

    /// <summary>
    /// An ID token for <paramref name="subject"/>: <c>iss</c> <see cref="Issuer"/>, <c>aud</c> <see cref="ClientId"/>,
    /// <c>iat</c> now, <c>exp</c> in an hour, a fresh <c>jti</c>; <paramref name="claims"/> add or replace claims (a null value removes
    /// one), <paramref name="header"/> likewise for the header (<c>{"alg":"RS256","kid":..,"typ":"JWT"}</c>).
    /// Signed with <paramref name="key"/>, default <see cref="Key"/>.
    /// </summary>
    public string IdToken(string subject = "user-1", Dictionary<string, object?>? claims = null,
        Dictionary<string, object?>? header = null, JwsSigningKey? key = null)
    {
        key ??= Key;
        long now = Clock.GetUtcNow().ToUnixTimeSeconds();
        var payload = new Dictionary<string, object?>
        {
            ["iss"] = Issuer, ["aud"] = ClientId, ["sub"] = subject, ["iat"] = now, ["exp"] = now + 3600,
            // As real providers' tokens differ (iat, jti, nonce): two tokens of one second are two tokens.
            ["jti"] = Guid.NewGuid().ToString("N"),
        };
        var head = new Dictionary<string, object?> { ["alg"] = key.Algorithm, ["kid"] = key.KeyId, ["typ"] = "JWT" };
        return Compact(Merge(head, header), Merge(payload, claims), key);
    }

    /// <summary>A compact JWS of exactly this header and payload, signed with <paramref name="key"/> (no signature when null: <c>alg</c> none).</summary>
    public static string Compact(Dictionary<string, object?> header, Dictionary<string, object?> payload, JwsSigningKey? key)
    {
        string input = $"{Base64Url(JsonSerializer.SerializeToUtf8Bytes(header))}.{Base64Url(JsonSerializer.SerializeToUtf8Bytes(payload))}";
        if (key is null)
            return input + ".";
        var signature = new byte[key.SignatureSize];
        if (!key.TrySign(Encoding.ASCII.GetBytes(input), signature, out int written))
            throw new InvalidOperationException("The key did not sign.");
        return $"{input}.{Base64Url(signature.AsSpan(0, written))}";
    }

    /// <summary>The public key of <see cref="Key"/> as PEM (SubjectPublicKeyInfo): what an HS256 key-confusion attack signs with.</summary>
    public string PublicKeyPem()
    {
        using var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(Key.ExportPrivateKey(), out _);
        return rsa.ExportSubjectPublicKeyInfoPem();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        ((IDisposable)HttpClientFactory).Dispose();
    }

    private JwsSigningKey NewKey() => JwsSigningKey.Generate("RS256", $"key-{Interlocked.Increment(ref _keyNumber)}");

    private async Task HandleAsync(HttpContext context)
    {
        string path = context.Request.Path.Value ?? "";
        if (path == "/.well-known/openid-configuration")
            Interlocked.Increment(ref _discoveryRequests);
        else if (path == "/jwks")
            Interlocked.Increment(ref _jwksRequests);
        else
            Interlocked.Increment(ref _otherRequests);

        if (DropConnections)
        {
            context.Abort();
            return;
        }

        if (Unavailable)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        switch (path)
        {
            case "/.well-known/openid-configuration":
                await context.Response.WriteAsJsonAsync(new Dictionary<string, object>
                {
                    ["issuer"] = DiscoveryIssuer ?? Issuer,
                    ["jwks_uri"] = Issuer + "/jwks",
                    ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
                });
                break;
            case "/jwks":
                List<Dictionary<string, object?>> keys;
                lock (_gate)
                    keys = _published.Select(k => k.PublicJwk!.ToDictionary(p => p.Key, p => (object?)p.Value)).ToList();
                if (JwkShape is { } shape)
                    keys = keys.Select(shape).ToList();
                if (CacheControl is { } cacheControl)
                    context.Response.Headers.CacheControl = cacheControl;
                await context.Response.WriteAsJsonAsync(new Dictionary<string, object> { ["keys"] = keys });
                break;
            default:
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                break;
        }
    }

    private static Dictionary<string, object?> Merge(Dictionary<string, object?> defaults, Dictionary<string, object?>? changes)
    {
        foreach (var (name, value) in changes ?? [])
        {
            if (value is null)
                defaults.Remove(name);
            else
                defaults[name] = value;
        }

        return defaults;
    }

    private static string Base64Url(ReadOnlySpan<byte> bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    private sealed class SharedHandlerFactory : IHttpClientFactory, IDisposable
    {
        private readonly SocketsHttpHandler _handler = new() { PooledConnectionLifetime = TimeSpan.FromMinutes(1) };

        public HttpClient CreateClient(string name) => new(_handler, disposeHandler: false);

        public void Dispose() => _handler.Dispose();
    }
}
