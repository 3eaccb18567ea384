using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Tessera.Core.Throttling;

namespace Tessera.Redis.Throttling;

/// <summary>
/// <see cref="IRateLimitStore"/> on Redis: every instance counts against one allowance per key. The
/// GCRA step of <see cref="Gcra"/> runs as one Lua script, so it is atomic (no read-then-write
/// race between instances). Time is this instance's clock in microseconds (Lua numbers are doubles:
/// exact to 2^53, which microseconds since 1970 stay far below). A key expires when its allowance is full again.
/// <para>
/// While Redis cannot be reached, each instance counts in its own memory
/// (<see cref="InMemoryRateLimitStore"/>): limits then hold per instance, so a client may get up to
/// N times its rate across N instances, and no request fails because of Redis.
/// </para>
/// </summary>
internal sealed class RedisRateLimitStore(RedisConnection connection, TimeProvider time, ILogger<RedisRateLimitStore> logger) : IRateLimitStore
{
    private const string Script = """
        local now = tonumber(ARGV[1])
        local interval = tonumber(ARGV[2])
        local burst = tonumber(ARGV[3])
        local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
        local start = math.max(tat, now)
        local new_tat = start + interval
        local ahead = new_tat - now
        if ahead <= burst then
          redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', math.ceil(ahead / 1000) + 1)
          return 0
        end
        return ahead - burst
        """;

    private readonly InMemoryRateLimitStore _memory = new(time);
    private readonly RedisFallback _fallback = new(connection, logger, "throttling counts in each instance's memory");

    public ValueTask<RateLimitDecision> AcquireAsync(string key, RateLimit limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(limit);
        var interval = Math.Max(1, limit.EmissionInterval.Ticks / 10);
        return _fallback.RunAsync(
            async db =>
            {
                var wait = (long)await db.ScriptEvaluateAsync(Script,
                    [connection.Key("throttle:" + key)],
                    [time.GetUtcNow().UtcTicks / 10 - UnixEpochMicroseconds, interval, interval * limit.Requests]).ConfigureAwait(false);
                return wait <= 0 ? RateLimitDecision.Allow : RateLimitDecision.Refuse(TimeSpan.FromTicks(wait * 10));
            },
            () => _memory.AcquireAsync(key, limit, cancellationToken));
    }

    private static readonly long UnixEpochMicroseconds = DateTimeOffset.UnixEpoch.UtcTicks / 10;
}
