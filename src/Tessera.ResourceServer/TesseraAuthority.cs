using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tessera.ResourceServer.Keys;
using Tessera.ResourceServer.Revocations;

namespace Tessera.ResourceServer;

/// <summary>
/// Everything one scheme knows of its Tessera: the keys, the revocation memory and the listener that
/// fills it. One per scheme name, made on first use from the scheme's options (they are read once:
/// a running service does not change its Tessera).
/// </summary>
internal sealed class TesseraAuthority
{
    public TesseraAuthority(TesseraResourceServerOptions options, IHttpClientFactory http, TimeProvider time, ILoggerFactory loggers)
    {
        Options = options;
        Time = time;
        var log = loggers.CreateLogger("Tessera.ResourceServer");
        CreateClient = () => http.CreateClient(TesseraResourceServerDefaults.HttpClientName);
        StreamUri = new Uri(new Uri(options.Authority!.TrimEnd('/') + "/"), "api/revocations/stream");
        Memory = new RevocationMemory(time);
        Keys = new AuthorityKeys(options, CreateClient, time, Memory, log);
        Listener = new RevocationStreamListener(this, log);
    }

    public TesseraResourceServerOptions Options { get; }

    public TimeProvider Time { get; }

    public Func<HttpClient> CreateClient { get; }

    public Uri StreamUri { get; }

    public RevocationMemory Memory { get; }

    public AuthorityKeys Keys { get; }

    public RevocationStreamListener Listener { get; }

    /// <summary>
    /// Until stopped: the keys (the first fetch retried with the stream's backoff, then every
    /// <see cref="TesseraResourceServerOptions.KeyRefreshInterval"/>) and the revocation stream, side by side.
    /// </summary>
    public Task RunAsync(CancellationToken stopping) => Task.WhenAll(RefreshKeysAsync(stopping), Listener.RunAsync(stopping));

    private async Task RefreshKeysAsync(CancellationToken stopping)
    {
        try
        {
            var delay = Options.ReconnectDelay;
            while (!await Keys.RefreshAsync().ConfigureAwait(false))
            {
                await Task.Delay(delay, stopping).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, Options.MaxReconnectDelay.Ticks));
            }
            using var schedule = new PeriodicTimer(Options.KeyRefreshInterval);
            while (await schedule.WaitForNextTickAsync(stopping).ConfigureAwait(false))
                await Keys.RefreshAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }
}

/// <summary>The <see cref="TesseraAuthority"/> of each scheme.</summary>
internal sealed class TesseraAuthorities(IOptionsMonitor<TesseraResourceServerOptions> options, IHttpClientFactory http, TimeProvider time, ILoggerFactory loggers)
{
    private readonly ConcurrentDictionary<string, Lazy<TesseraAuthority>> _byScheme = new(StringComparer.Ordinal);

    public TesseraAuthority For(string scheme)
        => _byScheme.GetOrAdd(scheme, s => new Lazy<TesseraAuthority>(() => new TesseraAuthority(options.Get(s), http, time, loggers))).Value;
}
