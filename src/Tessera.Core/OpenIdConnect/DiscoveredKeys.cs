using System.Net.Http.Headers;
using System.Text.Json;
using Tessera.Core.Jwt;

namespace Tessera.Core.OpenIdConnect;

/// <summary>
/// An OpenID Connect authority's issuer and verifying keys, from its discovery document and JWKS, in a
/// <see cref="JwsKeyRing"/>. One fetch at a time however many callers ask; the JWKS kept for its
/// <c>Cache-Control: max-age</c> (clamped to 1 min..24 h; 1 h without one); the discovery document read
/// again at most daily; a refresh that fails keeps the keys held (stale keys keep working while the
/// authority is unreachable), and expired keys are then tried again at most once per cooldown; a token
/// naming an unknown <c>kid</c> fetches the JWKS at most once per
/// <see cref="DiscoveredKeysSettings.KeyRefreshCooldown"/>. Nothing a token names is ever fetched.
/// </summary>
internal sealed class DiscoveredKeys
{
    public static readonly TimeSpan MinKeysLifetime = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan MaxKeysLifetime = TimeSpan.FromHours(24);
    public static readonly TimeSpan DefaultKeysLifetime = TimeSpan.FromHours(1);
    public static readonly TimeSpan DiscoveryLifetime = TimeSpan.FromHours(24);

    /// <summary>A JWKS or discovery document is a few kilobytes: whoever streams megabytes is cut off rather than buffered.</summary>
    public const int MaxDocumentLength = 1024 * 1024;

    private readonly DiscoveredKeysSettings _settings;
    private readonly Uri _discoveryAddress;
    private readonly Func<HttpClient> _client;
    private readonly TimeProvider _time;
    private readonly IDiscoveredKeysLog _log;
    private readonly Lock _gate = new();
    private Task<bool>? _fetch;
    private Discovery? _discovery;
    private bool _hasKeys;
    private DateTimeOffset _keysExpireAt;
    private DateTimeOffset _retryAfter = DateTimeOffset.MinValue;
    private long _refreshDueTicks = long.MaxValue; // the later of the two above, once keys are held: read without the lock
    private DateTimeOffset? _lastUnknownKidFetch;

    public DiscoveredKeys(DiscoveredKeysSettings settings, Func<HttpClient> client, TimeProvider time, IDiscoveredKeysLog log)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        _discoveryAddress = new Uri(settings.Authority.TrimEnd('/') + "/.well-known/openid-configuration");
        _client = client;
        _time = time;
        _log = log;
    }

    /// <summary>The authority's verifying keys (empty until the first fetch succeeds).</summary>
    public JwsKeyRing Ring { get; } = new(new JwsKeySet(null, []));

    /// <summary>The discovery document's <c>issuer</c> (null until read).</summary>
    public string? Issuer => Volatile.Read(ref _discovery)?.Issuer;

    /// <summary>
    /// Keys to verify with: at once when fresh; else after a fetch (joined when one is under way).
    /// False only when there are no keys at all (never fetched, and this fetch failed): the authority
    /// is unavailable. A failed refresh of expired keys keeps them (logged).
    /// </summary>
    public async Task<bool> EnsureKeysAsync(CancellationToken cancellationToken)
    {
        Task<bool> fetch;
        lock (_gate)
        {
            if (_hasKeys && _time.GetUtcNow().UtcTicks < _refreshDueTicks)
            {
                return true;
            }

            fetch = StartFetch();
        }

        await fetch.WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            return _hasKeys;
        }
    }

    /// <summary>
    /// Keys held past their lifetime (and not just failed to refresh): a fetch is started, or the one
    /// under way joined, in the background; the keys held serve meanwhile. Costs one comparison
    /// otherwise (a per-request check). Never the first fetch: without keys this does nothing.
    /// </summary>
    public void RefreshIfExpired(DateTimeOffset now)
    {
        if (now.UtcTicks < Volatile.Read(ref _refreshDueTicks))
        {
            return;
        }

        lock (_gate)
        {
            if (_hasKeys && _time.GetUtcNow().UtcTicks >= _refreshDueTicks)
            {
                _ = StartFetch();
            }
        }
    }

    /// <summary>Fetches now (a start, a schedule), or joins the fetch under way. True when the keys were replaced by fetched ones.</summary>
    public Task<bool> RefreshAsync()
    {
        lock (_gate)
        {
            return StartFetch();
        }
    }

    /// <summary>
    /// A token named <paramref name="kid"/>, which the ring lacks: fetch the JWKS, unless a fetch for that
    /// reason started less than the cooldown ago (null: nothing fetched). A fetch already under way is
    /// joined first; it may have read the JWKS before the key was published, so when it does not bring
    /// the kid, one fetch of its own follows (cooldown permitting). True: fetched; false: the fetch failed.
    /// </summary>
    public async Task<bool?> RefreshForUnknownKidAsync(string kid, CancellationToken cancellationToken)
    {
        Task<bool>? running;
        lock (_gate)
        {
            running = _fetch is { IsCompleted: false } fetch ? fetch : null;
        }

        if (running is not null)
        {
            var fetched = await running.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (!fetched || Ring.Current.TryGet(kid, out _))
            {
                return fetched;
            }
        }

        Task<bool> own;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (_fetch is { IsCompleted: false } fetch)
            {
                own = fetch; // started since: it reads the JWKS after the token came
            }
            else
            {
                if (_lastUnknownKidFetch is { } last && now - last < _settings.KeyRefreshCooldown)
                {
                    return null;
                }

                _lastUnknownKidFetch = now;
                own = StartFetch();
            }
        }

        return await own.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Takes <paramref name="kid"/> out of the ring at once. It stays out of later fetches only while
    /// <see cref="DiscoveredKeysSettings.IsExcluded"/> says so.
    /// </summary>
    public void Remove(string kid)
    {
        lock (_gate)
        {
            var current = Ring.Current;
            if (current.TryGet(kid, out _))
            {
                Ring.Replace(new JwsKeySet(null, current.Keys.Where(k => k.KeyId != kid)));
            }
        }
    }

    // Under _gate. A caller's cancellation never cancels the shared fetch: only the backchannel timeout does.
    private Task<bool> StartFetch()
        => _fetch is { IsCompleted: false } running ? running : _fetch = Task.Run(FetchAsync);

    // Under _gate.
    private void UpdateRefreshDue()
        => Volatile.Write(ref _refreshDueTicks, _hasKeys ? Math.Max(_keysExpireAt.UtcTicks, _retryAfter.UtcTicks) : long.MaxValue);

    private async Task<bool> FetchAsync()
    {
        using var timeout = new CancellationTokenSource(_settings.BackchannelTimeout);
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
                    _log.FetchFailed(Describe(e));
                }
            }

            var (keys, lifetime) = await ReadKeysAsync(discovery!.JwksUri, timeout.Token).ConfigureAwait(false);
            lock (_gate)
            {
                // Filtered here, under the lock Remove takes: a removal heard while this fetch ran is not undone by it.
                Ring.Replace(new JwsKeySet(null, _settings.IsExcluded is { } excluded ? keys.Where(k => !excluded(k.KeyId!)) : keys));
                _hasKeys = true;
                _keysExpireAt = _time.GetUtcNow() + lifetime;
                UpdateRefreshDue();
            }

            _log.KeysLoaded(keys.Count);
            return true;
        }
        catch (Exception e) when (IsFetchFailure(e))
        {
            bool hadKeys;
            lock (_gate)
            {
                // Expired keys that could not be refreshed: not every caller pays for another attempt.
                _retryAfter = _time.GetUtcNow() + _settings.KeyRefreshCooldown;
                hadKeys = _hasKeys;
                UpdateRefreshDue();
            }

            _log.FetchFailed(Describe(e));
            if (hadKeys)
            {
                _log.StaleKeysKept();
            }

            return false;
        }
    }

    private string Describe(Exception e)
        => e is OperationCanceledException ? $"no answer within {_settings.BackchannelTimeout.TotalSeconds:0.#} s" : e.Message;

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
        {
            throw new FormatException($"{_discoveryAddress} has no string issuer and absolute http(s) jwks_uri.");
        }

        if (_settings.RequireHttpsMetadata && jwks.Scheme != "https")
        {
            throw new FormatException($"{_discoveryAddress} names a jwks_uri over http ({jwks}), and RequireHttpsMetadata is true.");
        }

        if (_settings.AcceptsIssuer is { } accepts && !accepts(issuer))
        {
            throw new FormatException($"{_discoveryAddress} names the issuer '{issuer}', not the Authority '{_settings.Authority}'.");
        }

        return new Discovery(issuer, jwks, _time.GetUtcNow());
    }

    private async Task<(List<JwsSigningKey> Keys, TimeSpan Lifetime)> ReadKeysAsync(Uri address, CancellationToken cancellationToken)
    {
        using var response = await GetAsync(address, cancellationToken).ConfigureAwait(false);
        var lifetime = response.Headers.CacheControl?.MaxAge is { } maxAge
            ? TimeSpan.FromTicks(Math.Clamp(maxAge.Ticks, MinKeysLifetime.Ticks, MaxKeysLifetime.Ticks))
            : DefaultKeysLifetime;
        using var document = await ReadJsonAsync(response, cancellationToken).ConfigureAwait(false);
        if (document.RootElement.ValueKind != JsonValueKind.Object
            || !document.RootElement.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException($"{address} is not a JWKS: no \"keys\" array.");
        }

        var verifying = new List<JwsSigningKey>();
        foreach (var jwk in keys.EnumerateArray())
        {
            // Keys not for us (another algorithm, an encryption or oct key, no kid) are skipped: the others still verify.
            if (JsonWebKeys.TryImportPublic(jwk, _settings.InferMissingAlgorithm, out var key)
                && (_settings.Algorithms is null || _settings.Algorithms.Contains(key.Algorithm))
                && !verifying.Any(k => k.KeyId == key.KeyId))
            {
                verifying.Add(key);
            }
        }

        // An empty set would refuse every token until the next fetch: keep what we had instead.
        if (verifying.Count == 0)
        {
            string accepted = _settings.Algorithms is { } algorithms ? string.Join(", ", algorithms) : "RS256, ES256, EdDSA";
            throw new FormatException($"{address} has no key this provider accepts ({accepted}, with a kid).");
        }

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
        if (response.Content.Headers.ContentLength > MaxDocumentLength)
        {
            throw new FormatException($"{response.RequestMessage?.RequestUri} sent more than {MaxDocumentLength} bytes.");
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxDocumentLength)
            {
                throw new FormatException($"{response.RequestMessage?.RequestUri} sent more than {MaxDocumentLength} bytes.");
            }

            buffer.Write(chunk, 0, read);
        }

        return JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
    }

    private sealed record Discovery(string Issuer, Uri JwksUri, DateTimeOffset ReadAt);
}
