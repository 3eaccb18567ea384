using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tessera.Core.Jwt;

namespace Tessera.AspNetCore.ExternalLogin;

/// <summary>
/// A provider's issuer and verifying keys, from its discovery document and JWKS. One fetch at a time
/// however many sign-ins ask; the JWKS kept for its <c>Cache-Control: max-age</c> (clamped to
/// 1 min..24 h; 1 h without one) and fetched again on the next use after that (stale keys keep
/// working while the provider is unreachable); the discovery document read again at most daily;
/// a token naming an unknown <c>kid</c> fetches the JWKS at most once per
/// <see cref="ExternalProviderOptions.KeyRefreshCooldown"/>. Nothing a token names is ever fetched.
/// </summary>
internal sealed class ExternalProviderMetadata
{
    public static readonly TimeSpan MinKeysLifetime = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan MaxKeysLifetime = TimeSpan.FromHours(24);
    public static readonly TimeSpan DefaultKeysLifetime = TimeSpan.FromHours(1);
    public static readonly TimeSpan DiscoveryLifetime = TimeSpan.FromHours(24);

    private static readonly Action<ILogger, string, string, Exception?> FetchFailed = LoggerMessage.Define<string, string>(
        LogLevel.Warning, new EventId(3201, "ExternalProviderFetchFailed"),
        "External provider {Provider}: could not read its keys: {Reason}");

    private static readonly Action<ILogger, string, int, Exception?> KeysLoaded = LoggerMessage.Define<string, int>(
        LogLevel.Debug, new EventId(3202, "ExternalProviderKeysLoaded"),
        "External provider {Provider}: {Count} verifying keys from its JWKS");

    private static readonly Action<ILogger, string, Exception?> StaleKeysKept = LoggerMessage.Define<string>(
        LogLevel.Warning, new EventId(3203, "ExternalProviderStaleKeys"),
        "External provider {Provider}: its keys could not be refreshed; the previous ones stay in use");

    private readonly string _name;
    private readonly ExternalProviderOptions _options;
    private readonly Uri _discoveryAddress;
    private readonly Func<HttpClient> _client;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly HashSet<string> _algorithms;
    private readonly Lock _gate = new();
    private Task<bool>? _fetch;
    private Discovery? _discovery;
    private bool _hasKeys;
    private DateTimeOffset _keysExpireAt;
    private DateTimeOffset _retryAfter = DateTimeOffset.MinValue;
    private DateTimeOffset? _lastUnknownKidFetch;

    public ExternalProviderMetadata(string name, ExternalProviderOptions options, Func<HttpClient> client, TimeProvider time, ILogger log)
    {
        _name = name;
        _options = options;
        _discoveryAddress = new Uri(options.Authority!.TrimEnd('/') + "/.well-known/openid-configuration");
        _client = client;
        _time = time;
        _log = log;
        _algorithms = new HashSet<string>(options.Algorithms.Count == 0 ? ExternalProviderOptions.DefaultAlgorithms : options.Algorithms, StringComparer.Ordinal);
        Ring = new JwsKeyRing(new JwsKeySet(null, []));
    }

    /// <summary>The provider's verifying keys (empty until the first fetch succeeds).</summary>
    public JwsKeyRing Ring { get; }

    /// <summary>The discovery document's <c>issuer</c> (null until read): exact, or a <c>{tenantid}</c> template.</summary>
    public string? Issuer => Volatile.Read(ref _discovery)?.Issuer;

    /// <summary>
    /// Keys to verify with: at once when fresh; else after a fetch (joined when one is under way).
    /// False only when there are no keys at all (never fetched, and this fetch failed): the provider
    /// is unavailable. A failed refresh of expired keys keeps them (logged).
    /// </summary>
    public async Task<bool> EnsureKeysAsync(CancellationToken cancellationToken)
    {
        Task<bool> fetch;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (_hasKeys && (now < _keysExpireAt || now < _retryAfter))
                return true;
            fetch = StartFetch();
        }

        await fetch.WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            return _hasKeys;
        }
    }

    /// <summary>
    /// A token named a <c>kid</c> the ring lacks: fetch the JWKS, unless a fetch for that reason started
    /// less than the cooldown ago (null: nothing fetched). True: fetched; false: the fetch failed.
    /// </summary>
    public async Task<bool?> RefreshForUnknownKidAsync(CancellationToken cancellationToken)
    {
        Task<bool> fetch;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (_fetch is { IsCompleted: false } running)
            {
                fetch = running;
            }
            else
            {
                if (_lastUnknownKidFetch is { } last && now - last < _options.KeyRefreshCooldown)
                    return null;
                _lastUnknownKidFetch = now;
                fetch = StartFetch();
            }
        }

        return await fetch.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    // Under _gate. A caller's cancellation never cancels the shared fetch: only the backchannel timeout does.
    private Task<bool> StartFetch()
        => _fetch is { IsCompleted: false } running ? running : _fetch = Task.Run(FetchAsync);

    private async Task<bool> FetchAsync()
    {
        using var timeout = new CancellationTokenSource(_options.BackchannelTimeout);
        try
        {
            var discovery = Volatile.Read(ref _discovery);
            if (discovery is null || _time.GetUtcNow() - discovery.ReadAt >= DiscoveryLifetime)
            {
                try
                {
                    discovery = await ReadDiscoveryAsync(timeout.Token).ConfigureAwait(false);
                    Volatile.Write(ref _discovery, discovery);
                }
                catch (Exception e) when (discovery is not null && IsFetchFailure(e))
                {
                    // The daily re-read failed: the jwks_uri read yesterday still serves.
                    FetchFailed(_log, _name, Describe(e), null);
                }
            }

            var (keys, lifetime) = await ReadKeysAsync(discovery!.JwksUri, timeout.Token).ConfigureAwait(false);
            lock (_gate)
            {
                Ring.Replace(new JwsKeySet(null, keys));
                _hasKeys = true;
                _keysExpireAt = _time.GetUtcNow() + lifetime;
            }

            KeysLoaded(_log, _name, keys.Count, null);
            return true;
        }
        catch (Exception e) when (IsFetchFailure(e))
        {
            bool hadKeys;
            lock (_gate)
            {
                // Expired keys that could not be refreshed: not every sign-in pays for another attempt.
                _retryAfter = _time.GetUtcNow() + _options.KeyRefreshCooldown;
                hadKeys = _hasKeys;
            }

            FetchFailed(_log, _name, Describe(e), null);
            if (hadKeys)
                StaleKeysKept(_log, _name, null);
            return false;
        }
    }

    private string Describe(Exception e)
        => e is OperationCanceledException ? $"no answer within {_options.BackchannelTimeout.TotalSeconds:0.#} s" : e.Message;

    private static bool IsFetchFailure(Exception e)
        => e is HttpRequestException or OperationCanceledException or JsonException or FormatException or InvalidOperationException;

    private async Task<Discovery> ReadDiscoveryAsync(CancellationToken cancellationToken)
    {
        using var response = await GetAsync(_discoveryAddress, cancellationToken).ConfigureAwait(false);
        using var document = await ReadJsonAsync(response, cancellationToken).ConfigureAwait(false);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("issuer", out var issuerElement) || issuerElement.ValueKind != JsonValueKind.String
            || issuerElement.GetString() is not { Length: > 0 } issuer
            || !root.TryGetProperty("jwks_uri", out var jwksElement) || jwksElement.ValueKind != JsonValueKind.String
            || !Uri.TryCreate(jwksElement.GetString(), UriKind.Absolute, out var jwks) || jwks.Scheme is not ("https" or "http"))
            throw new FormatException($"{_discoveryAddress} has no string issuer and absolute http(s) jwks_uri.");
        if (_options.RequireHttpsMetadata && jwks.Scheme != "https")
            throw new FormatException($"{_discoveryAddress} names a jwks_uri over http ({jwks}), and RequireHttpsMetadata is true.");

        // OpenID Connect Discovery §4.3: the issuer is the URL the document was read under (one trailing
        // slash aside) — else anyone who can serve that document could mint accounts of another issuer.
        // Microsoft's multi-tenant document names a {tenantid} template instead, resolved per token.
        bool matches = issuer.Contains(ExternalProviderPresets.TenantPlaceholder, StringComparison.Ordinal)
            ? IsTemplateOfAuthority(issuer)
            : string.Equals(issuer.TrimEnd('/'), _options.Authority!.TrimEnd('/'), StringComparison.Ordinal);
        if (!matches)
            throw new FormatException($"{_discoveryAddress} names the issuer '{issuer}', not the Authority '{_options.Authority}'.");
        return new Discovery(issuer, jwks, _time.GetUtcNow());
    }

    // A template still names the Authority's origin: a document cannot hand out another host's issuers.
    private bool IsTemplateOfAuthority(string template)
        => Uri.TryCreate(template.Replace(ExternalProviderPresets.TenantPlaceholder, "tenant", StringComparison.Ordinal), UriKind.Absolute, out var resolved)
            && Uri.TryCreate(_options.Authority, UriKind.Absolute, out var authority)
            && Uri.Compare(resolved, authority, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

    private async Task<(List<JwsSigningKey> Keys, TimeSpan Lifetime)> ReadKeysAsync(Uri address, CancellationToken cancellationToken)
    {
        using var response = await GetAsync(address, cancellationToken).ConfigureAwait(false);
        var lifetime = response.Headers.CacheControl?.MaxAge is { } maxAge
            ? TimeSpan.FromTicks(Math.Clamp(maxAge.Ticks, MinKeysLifetime.Ticks, MaxKeysLifetime.Ticks))
            : DefaultKeysLifetime;
        using var document = await ReadJsonAsync(response, cancellationToken).ConfigureAwait(false);
        if (document.RootElement.ValueKind != JsonValueKind.Object
            || !document.RootElement.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
            throw new FormatException($"{address} is not a JWKS: no \"keys\" array.");
        var verifying = new List<JwsSigningKey>();
        foreach (var jwk in keys.EnumerateArray())
        {
            // Keys this provider may not use (another algorithm, an encryption key, no kid) are skipped: the others still verify.
            if (JsonWebKeys.TryImportPublic(jwk, inferMissingAlgorithm: true, out var key)
                && _algorithms.Contains(key.Algorithm) && !verifying.Any(k => k.KeyId == key.KeyId))
                verifying.Add(key);
        }

        // An empty set would refuse every sign-in until the next fetch: keep what we had instead.
        if (verifying.Count == 0)
            throw new FormatException($"{address} has no key this provider accepts ({string.Join(", ", _algorithms)}, with a kid).");
        return (verifying, lifetime);
    }

    private async Task<HttpResponseMessage> GetAsync(Uri address, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, address);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        var response = await _client().SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            response.Dispose();
            throw new HttpRequestException($"{address} answered {(int)response.StatusCode}.");
        }

        return response;
    }

    private static async Task<JsonDocument> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        // A JWKS or discovery document is a few kilobytes; a provider (or whoever answers for it) streaming
        // megabytes is cut off rather than buffered.
        const int MaxLength = 1024 * 1024;
        if (response.Content.Headers.ContentLength > MaxLength)
            throw new FormatException($"{response.RequestMessage?.RequestUri} sent more than {MaxLength} bytes.");
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxLength)
                throw new FormatException($"{response.RequestMessage?.RequestUri} sent more than {MaxLength} bytes.");
            buffer.Write(chunk, 0, read);
        }

        return JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
    }

    private sealed record Discovery(string Issuer, Uri JwksUri, DateTimeOffset ReadAt);
}
