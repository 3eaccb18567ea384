namespace Tessera.Redis;

/// <summary>
/// Section <c>Tessera:Redis</c>; the server itself comes from <c>ConnectionStrings:Redis</c> (a
/// StackExchange.Redis configuration string such as <c>127.0.0.1:6379,password=…</c>).
/// </summary>
public sealed class RedisOptions
{
    public const string SectionName = "Tessera:Redis";
    public const string ConnectionStringName = "Redis";

    /// <summary>The StackExchange.Redis configuration string.</summary>
    public string Configuration { get; set; } = "";

    /// <summary>
    /// Starts every key and channel of this deployment, so several deployments (or test runs) can
    /// share one Redis. Every instance of one deployment must use the same.
    /// </summary>
    public string KeyPrefix { get; set; } = "tessera:";

    /// <summary>How long a command may take before it counts as a Redis fault (then the fallbacks apply).</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a revocation waits for every other subscribed instance to confirm that it has taken
    /// effect there, before the request that made it is answered: within it, the very next request
    /// to any instance is refused. An instance that does not confirm in time (stalled, or its
    /// connection half-dead) is logged and learns the change as soon as it reads it.
    /// </summary>
    public TimeSpan AcknowledgeTimeout { get; set; } = TimeSpan.FromSeconds(1);

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Configuration))
            yield return $"ConnectionStrings:{ConnectionStringName} must be a StackExchange.Redis configuration string such as 127.0.0.1:6379.";
        else
        {
            string? problem = null;
            try
            {
                StackExchange.Redis.ConfigurationOptions.Parse(Configuration);
            }
            catch (ArgumentException e)
            {
                problem = e.Message;
            }
            if (problem is not null)
                yield return $"ConnectionStrings:{ConnectionStringName} is not a valid StackExchange.Redis configuration string: {problem}";
        }
        if (string.IsNullOrEmpty(KeyPrefix) || KeyPrefix.Length > 100)
            yield return $"{SectionName}:{nameof(KeyPrefix)} must be 1 to 100 characters (got '{KeyPrefix}').";
        if (CommandTimeout < TimeSpan.FromMilliseconds(50) || CommandTimeout > TimeSpan.FromSeconds(30))
            yield return $"{SectionName}:{nameof(CommandTimeout)} must be between 00:00:00.050 and 00:00:30 (got {CommandTimeout}).";
        if (AcknowledgeTimeout < TimeSpan.FromMilliseconds(10) || AcknowledgeTimeout > TimeSpan.FromSeconds(10))
            yield return $"{SectionName}:{nameof(AcknowledgeTimeout)} must be between 00:00:00.010 and 00:00:10 (got {AcknowledgeTimeout}).";
    }
}
