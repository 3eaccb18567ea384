using Microsoft.Extensions.Logging;

namespace Tessera.Redis;

/// <summary>One warning when a store falls back from Redis to memory, one line when it is back: not one per request.</summary>
internal sealed class RedisFallbackLog(ILogger logger, string fallback)
{
    private int _failing;

    public void Failed(Exception? e)
    {
        if (Interlocked.Exchange(ref _failing, 1) == 0)
            logger.LogWarning("Redis is unreachable ({Error}): {Fallback} until it is back", e?.Message ?? "not connected", fallback);
    }

    public void Recovered()
    {
        if (Volatile.Read(ref _failing) == 1 && Interlocked.Exchange(ref _failing, 0) == 1)
            logger.LogInformation("Redis is back: {Fallback} no longer", fallback);
    }
}
