using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Tessera.Core.Throttling;

namespace Tessera.Redis.Throttling;

/// <summary>
/// <see cref="ILoginAttemptStore"/> on Redis: failed logins and attempts in flight count across
/// every instance, each operation one atomic Lua script over one hash per key: <c>c</c> the
/// failures, <c>e</c> their window's end, and one <c>s:&lt;slot&gt;</c> field per attempt in flight
/// holding when it expires (ms), so that the slots of an instance that died mid-check go by
/// themselves. The slots of a key are at most its limit, so a script reads them all. The key
/// expires once its window and its slots have. While Redis cannot be reached, each instance counts
/// in its own memory (<see cref="InMemoryLoginAttemptStore"/>), so an attacker gets at most N times
/// the limit across N instances; an attempt admitted there ends there.
/// </summary>
internal sealed class RedisLoginAttemptStore(RedisConnection connection, TimeProvider time, ILogger<RedisLoginAttemptStore> logger) : ILoginAttemptStore
{
    private const string BeginScript = """
        local now = tonumber(ARGV[1])
        local limit = tonumber(ARGV[2])
        local lifetime = tonumber(ARGV[4])
        local failures, window_end, in_flight = 0, 0, 0
        local fields = redis.call('HGETALL', KEYS[1])
        for i = 1, #fields, 2 do
          local name, value = fields[i], tonumber(fields[i + 1])
          if name == 'c' then
            failures = value
          elseif name == 'e' then
            window_end = value
          elseif value <= now then
            redis.call('HDEL', KEYS[1], name)
          else
            in_flight = in_flight + 1
          end
        end
        if window_end <= now then
          failures = 0
        end
        local outcome = 0
        if failures >= limit then
          outcome = 2
        elseif failures + in_flight >= limit then
          outcome = 1
        else
          redis.call('HSET', KEYS[1], 's:' .. ARGV[3], string.format('%.0f', now + lifetime))
          if redis.call('PTTL', KEYS[1]) < lifetime then
            redis.call('PEXPIRE', KEYS[1], lifetime)
          end
        end
        return {outcome, failures, in_flight, string.format('%.0f', window_end)}
        """;

    private const string EndScript = """
        local now = tonumber(ARGV[1])
        local window = tonumber(ARGV[2])
        redis.call('HDEL', KEYS[1], 's:' .. ARGV[4])
        if ARGV[3] == 'f' then
          local failures = tonumber(redis.call('HGET', KEYS[1], 'c') or '0')
          local window_end = tonumber(redis.call('HGET', KEYS[1], 'e') or '0')
          if window_end <= now then
            failures = 0
            window_end = now + window
          end
          redis.call('HSET', KEYS[1], 'c', failures + 1, 'e', string.format('%.0f', window_end))
          if redis.call('PTTL', KEYS[1]) < window_end - now then
            redis.call('PEXPIRE', KEYS[1], math.max(1, window_end - now))
          end
        elseif ARGV[3] == 'c' then
          redis.call('HDEL', KEYS[1], 'c', 'e')
        end
        return 0
        """;

    /// <summary>The prefix of the slots taken in memory while Redis was unreachable: they end there.</summary>
    private const string InMemorySlot = "mem:";

    private readonly InMemoryLoginAttemptStore _memory = new(time);
    private readonly RedisFallback _fallback = new(connection, logger, "login protection counts in each instance's memory");

    public ValueTask<LoginAttemptAdmission> TryBeginAsync(string key, int limit, TimeSpan slotLifetime, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _fallback.RunAsync(
            async db =>
            {
                // Slots are named at random: several instances take them on one key.
                var slot = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
                var result = (RedisResult[])(await db.ScriptEvaluateAsync(BeginScript, [Key(key)],
                    [time.GetUtcNow().ToUnixTimeMilliseconds(), limit, slot, Math.Max(1, (long)slotLifetime.TotalMilliseconds)]).ConfigureAwait(false))!;
                var outcome = (LoginAttemptOutcome)(int)(long)result[0];
                return new LoginAttemptAdmission(outcome, (int)result[1], (int)result[2],
                    DateTimeOffset.FromUnixTimeMilliseconds(long.Parse((string)result[3]!, CultureInfo.InvariantCulture)),
                    outcome == LoginAttemptOutcome.Admitted ? slot : null);
            },
            async () =>
            {
                var admission = await _memory.TryBeginAsync(key, limit, slotLifetime, cancellationToken).ConfigureAwait(false);
                return admission.Slot is { } slot ? admission with { Slot = InMemorySlot + slot } : admission;
            });
    }

    public ValueTask EndAsync(string key, string slot, LoginAttemptEnd end, TimeSpan window, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(slot);
        if (slot.StartsWith(InMemorySlot, StringComparison.Ordinal))
            return _memory.EndAsync(key, slot[InMemorySlot.Length..], end, window, cancellationToken);
        var code = end switch
        {
            LoginAttemptEnd.CountFailure => "f",
            LoginAttemptEnd.ClearFailures => "c",
            _ => "r",
        };
        return _fallback.RunAsync(
            db => db.ScriptEvaluateAsync(EndScript, [Key(key)],
                [time.GetUtcNow().ToUnixTimeMilliseconds(), Math.Max(1, (long)window.TotalMilliseconds), code, slot]),
            // Redis's slot is not in memory: it expires there by itself; the failure or the clearing counts here meanwhile.
            () => _memory.EndAsync(key, "", end, window, cancellationToken));
    }

    private RedisKey Key(string key) => connection.Key("login:" + key);
}
