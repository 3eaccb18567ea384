using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Tessera.Redis;

/// <summary>
/// This instance's one connection to Redis, opened at start without waiting for Redis to be up
/// (<c>AbortOnConnectFail=false</c>): StackExchange.Redis reconnects by itself, and while it cannot,
/// every user of the connection has a fallback (<see cref="Revocation.RedisRevocationChannel"/>,
/// <see cref="Throttling.RedisRateLimitStore"/>).
/// </summary>
internal sealed class RedisConnection(IOptions<RedisOptions> options, ILogger<RedisConnection> logger) : IAsyncDisposable
{
    private readonly SemaphoreSlim _opening = new(1, 1);
    private IConnectionMultiplexer? _multiplexer;

    public RedisOptions Options => options.Value;

    /// <summary>The connection, once <see cref="OpenAsync"/> has run; null before.</summary>
    public IConnectionMultiplexer? Multiplexer => Volatile.Read(ref _multiplexer);

    public string Key(string name) => options.Value.KeyPrefix + name;

    public async Task<IConnectionMultiplexer> OpenAsync()
    {
        if (Multiplexer is { } open)
            return open;
        await _opening.WaitAsync().ConfigureAwait(false);
        try
        {
            if (Multiplexer is { } raced)
                return raced;
            var configuration = ConfigurationOptions.Parse(options.Value.Configuration);
            configuration.AbortOnConnectFail = false;
            var timeout = (int)options.Value.CommandTimeout.TotalMilliseconds;
            configuration.SyncTimeout = timeout;
            configuration.AsyncTimeout = timeout;
            configuration.ConnectTimeout = Math.Min(configuration.ConnectTimeout, 5000);
            // A dead peer is noticed within seconds, not at the next command.
            configuration.KeepAlive = 1;
            // While disconnected, a command fails at once (and its caller falls back) rather than
            // waiting in a backlog for the timeout: a logout must not take two seconds because Redis is down.
            configuration.BacklogPolicy = BacklogPolicy.FailFast;
            // Reconnect every second, not on the library's exponential back-off (up to 10 s between
            // tries): while the bus is down every request of a user pays a feed read (fail closed), so
            // the bus must be back as soon as Redis is.
            configuration.ReconnectRetryPolicy = new LinearRetry(1000);
            var multiplexer = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
            if (!multiplexer.IsConnected)
                logger.LogWarning("Redis at {Endpoints} is not reachable yet; connecting in the background", string.Join(", ", configuration.EndPoints));
            Volatile.Write(ref _multiplexer, multiplexer);
            return multiplexer;
        }
        finally
        {
            _opening.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _multiplexer, null) is { } multiplexer)
            await multiplexer.DisposeAsync().ConfigureAwait(false);
    }
}
