using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Tessera.Core.Throttling;

namespace Tessera.Redis.Throttling;

/// <summary>
/// <see cref="ILoginAttemptStore"/> on Redis: failed logins count across every instance, each
/// operation one atomic Lua script over a hash (count, window end in ms). A key expires with its window.
/// While Redis cannot be reached, each instance counts in its own memory
/// (<see cref="InMemoryLoginAttemptStore"/>), so an attacker gets at most N times the limit across N instances.
/// </summary>
public sealed class RedisLoginAttemptStore(RedisConnection connection, TimeProvider time, ILogger<RedisLoginAttemptStore> logger) : ILoginAttemptStore
{
    private const string CountScript = """
        local now = tonumber(ARGV[1])
        local window = tonumber(ARGV[2])
        local limit = tonumber(ARGV[3])
        local count = tonumber(redis.call('HGET', KEYS[1], 'c') or '0')
        local window_end = tonumber(redis.call('HGET', KEYS[1], 'e') or '0')
        if window_end <= now then
          count = 0
          window_end = now + window
        end
        if count >= limit then
          return {0, count, string.format('%.0f', window_end)}
        end
        redis.call('HSET', KEYS[1], 'c', count + 1, 'e', string.format('%.0f', window_end))
        redis.call('PEXPIRE', KEYS[1], math.max(1, window_end - now))
        return {1, count, string.format('%.0f', window_end)}
        """;

    private const string UncountScript = """
        local count = tonumber(redis.call('HGET', KEYS[1], 'c') or '0')
        if count <= 1 then
          redis.call('DEL', KEYS[1])
        else
          redis.call('HSET', KEYS[1], 'c', count - 1)
        end
        return 0
        """;

    private readonly InMemoryLoginAttemptStore _memory = new(time);
    private readonly RedisFallback _fallback = new(connection, logger, "login protection counts in each instance's memory");

    public ValueTask<LoginAttemptCount> TryCountAsync(string key, int limit, TimeSpan window, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _fallback.RunAsync(
            async db =>
            {
                var result = (RedisResult[])(await db.ScriptEvaluateAsync(CountScript, [Key(key)],
                    [time.GetUtcNow().ToUnixTimeMilliseconds(), Math.Max(1, (long)window.TotalMilliseconds), limit]).ConfigureAwait(false))!;
                return new LoginAttemptCount((long)result[0] == 1, (int)result[1],
                    DateTimeOffset.FromUnixTimeMilliseconds(long.Parse((string)result[2]!, System.Globalization.CultureInfo.InvariantCulture)));
            },
            () => _memory.TryCountAsync(key, limit, window, cancellationToken));
    }

    public ValueTask UncountAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _fallback.RunAsync(db => db.ScriptEvaluateAsync(UncountScript, [Key(key)]), () => _memory.UncountAsync(key, cancellationToken));
    }

    public ValueTask ResetAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _fallback.RunAsync(db => db.KeyDeleteAsync(Key(key)), () => _memory.ResetAsync(key, cancellationToken));
    }

    private RedisKey Key(string key) => connection.Key("login:" + key);
}
