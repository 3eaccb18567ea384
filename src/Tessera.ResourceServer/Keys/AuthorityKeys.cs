using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tessera.Core.Jwt;
using Tessera.Core.OpenIdConnect;
using Tessera.ResourceServer.Revocations;

namespace Tessera.ResourceServer.Keys;

/// <summary>
/// Tessera's verifying keys, as its discovery document and JWKS publish them: Core's
/// <see cref="DiscoveredKeys"/> (one fetch at a time however many requests ask; the JWKS's
/// Cache-Control lifetime; discovery read again daily; stale keys kept while Tessera is unreachable;
/// a token naming a <c>kid</c> not in the ring fetches at most once per
/// <see cref="TesseraResourceServerOptions.KeyRefreshCooldown"/>), fetched at start and on a
/// schedule too, with what is the resource server's own: every algorithm Tessera signs with (a key
/// must name its <c>alg</c>), any issuer (tokens are pinned to it), the validator and token cache over
/// the ring, and retirement: a key the revocation stream retired leaves the ring at once and is never let back.
/// </summary>
internal sealed class AuthorityKeys
{
    private static readonly Action<ILogger, string, Exception?> FetchFailed = LoggerMessage.Define<string>(
        LogLevel.Warning, new EventId(3101, "KeysFetchFailed"), "Tessera resource server: could not read Tessera's keys: {Reason}");

    private static readonly Action<ILogger, int, Exception?> KeysLoaded = LoggerMessage.Define<int>(
        LogLevel.Debug, new EventId(3102, "KeysLoaded"), "Tessera resource server: {Count} verifying keys from the JWKS");

    private static readonly Action<ILogger, Exception?> StaleKeysKept = LoggerMessage.Define(
        LogLevel.Warning, new EventId(3103, "KeysStale"), "Tessera resource server: Tessera's keys could not be refreshed; the previous ones stay in use");

    private readonly TesseraResourceServerOptions _options;
    private readonly RevocationMemory _memory;
    private readonly DiscoveredKeys _keys;
    private IssuerValidator? _validator;

    public AuthorityKeys(TesseraResourceServerOptions options, Func<HttpClient> client, TimeProvider time, RevocationMemory memory, ILogger log)
    {
        _options = options;
        _memory = memory;
        _keys = new DiscoveredKeys(new DiscoveredKeysSettings
        {
            Authority = options.Authority!,
            RequireHttpsMetadata = options.RequireHttpsMetadata,
            BackchannelTimeout = options.BackchannelTimeout,
            KeyRefreshCooldown = options.KeyRefreshCooldown,
            IsExcluded = memory.IsKeyRetired,
        }, client, time, new Log(log));
        Codec = new JwsCodec(_keys.Ring);
        Cache = new ValidatedTokenCache(new JwtOptions { Leeway = options.Leeway }, _keys.Ring);
    }

    public JwsCodec Codec { get; }

    /// <summary>Tokens that passed, by their text: a repeated token costs no signature check.</summary>
    public ValidatedTokenCache Cache { get; }

    /// <summary>The validator for the discovery document's issuer, once read; null before.</summary>
    public TokenValidator? Validator
    {
        get
        {
            if (_keys.Issuer is not { } issuer)
                return null;
            var known = Volatile.Read(ref _validator);
            if (known is not null && string.Equals(known.Issuer, issuer, StringComparison.Ordinal))
                return known.Validator;
            // The first read, or a daily re-read that named another issuer.
            var made = new IssuerValidator(issuer, new TokenValidator(
                new JwtOptions { Issuer = issuer, Audience = _options.Audience, Leeway = _options.Leeway }, Codec));
            Volatile.Write(ref _validator, made);
            return made.Validator;
        }
    }

    /// <summary>The discovery document's <c>issuer</c>, once read.</summary>
    public string? Issuer => _keys.Issuer;

    public JwsKeySet Current => _keys.Ring.Current;

    /// <summary>
    /// Fetches the keys now (the start, the schedule), or joins the fetch under way. True when the
    /// ring was replaced by a fetched set.
    /// </summary>
    public Task<bool> RefreshAsync() => _keys.RefreshAsync();

    /// <summary>Past the JWKS's max-age: a fetch in the background; this request is judged with the keys held.</summary>
    public void RefreshIfExpired(DateTimeOffset now) => _keys.RefreshIfExpired(now);

    /// <summary>
    /// A token named <paramref name="kid"/>, which the ring does not hold: fetch the JWKS, unless a
    /// fetch for that reason started less than the cooldown ago (then false at once) or one is under
    /// way (then its result).
    /// </summary>
    public async Task<bool> RefreshForUnknownKidAsync(string kid)
    {
        if (_memory.IsKeyRetired(kid))
            return false;
        return await _keys.RefreshForUnknownKidAsync(kid, CancellationToken.None).ConfigureAwait(false) == true;
    }

    /// <summary>Takes <paramref name="kid"/> out of the ring at once (the stream's <c>key-retired</c>).</summary>
    public void Retire(string kid) => _keys.Remove(kid);

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

    private sealed record IssuerValidator(string Issuer, TokenValidator Validator);

    private sealed class Log(ILogger log) : IDiscoveredKeysLog
    {
        public void FetchFailed(string reason) => AuthorityKeys.FetchFailed(log, reason, null);

        public void KeysLoaded(int count) => AuthorityKeys.KeysLoaded(log, count, null);

        public void StaleKeysKept() => AuthorityKeys.StaleKeysKept(log, null);
    }
}
