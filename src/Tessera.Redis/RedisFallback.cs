using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Tessera.Redis;

/// <summary>
/// Runs a store's operation on Redis, or, while Redis cannot be reached (not connected, or the
/// command failed), on the store's in-memory twin. One warning when it falls back, one line when
/// Redis is back: not one per request.
/// </summary>
internal sealed class RedisFallback(RedisConnection connection, ILogger logger, string fallback)
{
    private int _failing;

    public async ValueTask<T> RunAsync<T>(Func<IDatabase, Task<T>> onRedis, Func<ValueTask<T>> inMemory)
    {
        if (connection.Multiplexer is { IsConnected: true } multiplexer)
        {
            try
            {
                var result = await onRedis(multiplexer.GetDatabase()).ConfigureAwait(false);
                Recovered();
                return result;
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                Failed(e);
            }
        }
        else
            Failed(null);
        return await inMemory().ConfigureAwait(false);
    }

    public async ValueTask RunAsync(Func<IDatabase, Task> onRedis, Func<ValueTask> inMemory)
        => await RunAsync(async db => { await onRedis(db).ConfigureAwait(false); return true; },
            async () => { await inMemory().ConfigureAwait(false); return true; }).ConfigureAwait(false);

    private void Failed(Exception? e)
    {
        if (Interlocked.Exchange(ref _failing, 1) == 0)
            logger.LogWarning("Redis is unreachable ({Error}): {Fallback} until it is back", e?.Message ?? "not connected", fallback);
    }

    private void Recovered()
    {
        if (Volatile.Read(ref _failing) == 1 && Interlocked.Exchange(ref _failing, 0) == 1)
            logger.LogInformation("Redis is back: {Fallback} no longer", fallback);
    }
}
