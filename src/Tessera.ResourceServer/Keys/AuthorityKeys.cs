using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tessera.Core.Jwt;
using Tessera.ResourceServer.Revocations;

namespace Tessera.ResourceServer.Keys;

/// <summary>
/// Tessera's verifying keys, as its discovery document and JWKS publish them: fetched at start, again
/// on a schedule, and again when a token names a <c>kid</c> not in the ring — at most once per
/// <see cref="TesseraResourceServerOptions.KeyRefreshCooldown"/>, and one fetch at a time, however many
/// requests ask. A key the revocation stream retired leaves the ring at once and is never let back.
/// </summary>
internal sealed class AuthorityKeys
{
    private static readonly Action<ILogger, string, Exception?> FetchFailed = LoggerMessage.Define<string>(
        LogLevel.Warning, new EventId(3101, "KeysFetchFailed"), "Tessera resource server: could not read Tessera's keys: {Reason}");

    private static readonly Action<ILogger, int, Exception?> KeysLoaded = LoggerMessage.Define<int>(
        LogLevel.Debug, new EventId(3102, "KeysLoaded"), "Tessera resource server: {Count} verifying keys from the JWKS");

    private readonly TesseraResourceServerOptions _options;
    private readonly Uri _authority;
    private readonly Func<HttpClient> _client;
    private readonly TimeProvider _time;
    private readonly RevocationMemory _memory;
    private readonly ILogger _log;
    private readonly JwsKeyRing _ring = new(new JwsKeySet(null, []));
    private readonly Lock _gate = new();
    private TokenValidator? _validator;
    private Uri? _jwksUri;
    private Task<bool>? _refresh;
    private long _lastUnknownKidFetchTicks = long.MinValue;

    public AuthorityKeys(TesseraResourceServerOptions options, Func<HttpClient> client, TimeProvider time, RevocationMemory memory, ILogger log)
    {
        _options = options;
        _authority = new Uri(options.Authority!.TrimEnd('/') + "/");
        _client = client;
        _time = time;
        _memory = memory;
        _log = log;
        Codec = new JwsCodec(_ring);
        Cache = new ValidatedTokenCache(new JwtOptions { Leeway = options.Leeway }, _ring);
    }

    public JwsCodec Codec { get; }

    /// <summary>Tokens that passed, by their text: a repeated token costs no signature check.</summary>
    public ValidatedTokenCache Cache { get; }

    /// <summary>The validator, once discovery named the issuer; null before.</summary>
    public TokenValidator? Validator => Volatile.Read(ref _validator);

    /// <summary>The discovery document's <c>issuer</c>, once read.</summary>
    public string? Issuer { get; private set; }

    public JwsKeySet Current => _ring.Current;

    /// <summary>
    /// Fetches the keys now (the start, the schedule), or joins the fetch under way. True when the
    /// ring was replaced by a fetched set.
    /// </summary>
    public Task<bool> RefreshAsync() => Refresh(forUnknownKid: false);

    /// <summary>
    /// A token named <paramref name="kid"/>, which the ring does not hold: fetch the JWKS, unless a
    /// fetch for that reason started less than the cooldown ago (then false at once) or one is under
    /// way (then its result).
    /// </summary>
    public Task<bool> RefreshForUnknownKidAsync(string kid)
    {
        if (_memory.IsKeyRetired(kid))
            return Task.FromResult(false);
        return Refresh(forUnknownKid: true);
    }

    private Task<bool> Refresh(bool forUnknownKid)
    {
        lock (_gate)
        {
            if (_refresh is { IsCompleted: false } running)
                return running;
            long now = _time.GetUtcNow().UtcTicks;
            if (forUnknownKid)
            {
                if (_lastUnknownKidFetchTicks != long.MinValue && now - _lastUnknownKidFetchTicks < _options.KeyRefreshCooldown.Ticks)
                    return Task.FromResult(false);
                _lastUnknownKidFetchTicks = now;
            }
            return _refresh = Task.Run(FetchAsync);
        }
    }

    /// <summary>Takes <paramref name="kid"/> out of the ring at once (the stream's <c>key-retired</c>).</summary>
    public void Retire(string kid)
    {
        lock (_gate)
        {
            var current = _ring.Current;
            if (current.TryGet(kid, out _))
                _ring.Replace(new JwsKeySet(null, current.Keys.Where(k => k.KeyId != kid)));
        }
    }

    private async Task<bool> FetchAsync()
    {
        using var timeout = new CancellationTokenSource(_options.BackchannelTimeout);
        try
        {
            if (_jwksUri is null)
                await ReadDiscoveryAsync(timeout.Token).ConfigureAwait(false);
            using var jwks = await GetJsonAsync(_jwksUri!, timeout.Token).ConfigureAwait(false);
            if (jwks.RootElement.ValueKind != JsonValueKind.Object
                || !jwks.RootElement.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
                throw new FormatException($"{_jwksUri} is not a JWKS: no \"keys\" array.");
            var verifying = new List<JwsSigningKey>();
            foreach (var jwk in keys.EnumerateArray())
            {
                // Keys this library cannot use (an oct key, another kty, no kid) are skipped: the others still verify.
                if (JwsSigningKey.TryImportPublicJwk(jwk, out var key) && key!.KeyId is { } kid && !verifying.Any(k => k.KeyId == kid))
                    verifying.Add(key);
            }
            lock (_gate)
            {
                // Filtered here, under the lock Retire takes: a retirement heard while this fetch ran is not undone by it.
                _ring.Replace(new JwsKeySet(null, verifying.Where(k => !_memory.IsKeyRetired(k.KeyId!))));
            }
            KeysLoaded(_log, verifying.Count, null);
            return true;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or JsonException or FormatException or InvalidOperationException)
        {
            FetchFailed(_log, e is OperationCanceledException ? $"no answer within {_options.BackchannelTimeout.TotalSeconds:0.#} s" : e.Message, null);
            return false;
        }
    }

    private async Task ReadDiscoveryAsync(CancellationToken cancellationToken)
    {
        var address = new Uri(_authority, ".well-known/openid-configuration");
        using var discovery = await GetJsonAsync(address, cancellationToken).ConfigureAwait(false);
        var root = discovery.RootElement;
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("issuer", out var issuer) || issuer.ValueKind != JsonValueKind.String || issuer.GetString() is not { Length: > 0 } iss
            || !root.TryGetProperty("jwks_uri", out var jwksUri) || jwksUri.ValueKind != JsonValueKind.String
            || !Uri.TryCreate(jwksUri.GetString(), UriKind.Absolute, out var jwks) || jwks.Scheme is not ("https" or "http"))
            throw new FormatException($"{address} has no string issuer and absolute jwks_uri.");
        if (_options.RequireHttpsMetadata && jwks.Scheme != "https")
            throw new FormatException($"{address} names a jwks_uri over http ({jwks}), and RequireHttpsMetadata is true.");
        Issuer = iss;
        _jwksUri = jwks;
        Volatile.Write(ref _validator, new TokenValidator(
            new JwtOptions { Issuer = iss, Audience = _options.Audience, Leeway = _options.Leeway }, Codec));
    }

    private async Task<JsonDocument> GetJsonAsync(Uri address, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, address);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await _client().SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"{address} answered {(int)response.StatusCode}.");
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        return await JsonDocument.ParseAsync(body, default, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The <c>kid</c> of a token's header, when it has a string one; null otherwise (or when it does not decode).</summary>
    public static string? KeyIdOf(ReadOnlySpan<char> token)
    {
        int dot = token.IndexOf('.');
        if (dot <= 0 || dot > 2048)
            return null;
        try
        {
            var padded = token[..dot].ToString().Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - padded.Length % 4) % 4);
            using var header = JsonDocument.Parse(Convert.FromBase64String(padded));
            return header.RootElement.ValueKind == JsonValueKind.Object
                && header.RootElement.TryGetProperty("kid", out var kid) && kid.ValueKind == JsonValueKind.String
                ? kid.GetString()
                : null;
        }
        catch (Exception e) when (e is FormatException or JsonException or DecoderFallbackException)
        {
            return null;
        }
    }
}
