namespace Tessera.AspNetCore.Revocation;

/// <summary>Section <c>Tessera:Revocation</c>.</summary>
public sealed class RevocationFeedOptions
{
    public const string SectionName = "Tessera:Revocation";

    /// <summary>
    /// How often the database feed is read for changes made by other instances and processes (the
    /// CLI). A shared bus (Redis) makes them instant; the feed is the safety net.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How often revoked logins whose tokens have all expired are dropped from memory. Its own
    /// schedule, whatever the database sweeper's (which may be off): memory stays bounded by
    /// (revocations per second × token lifetime) on every instance.
    /// </summary>
    public TimeSpan MemorySweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    public IEnumerable<string> Validate()
    {
        if (PollInterval < TimeSpan.FromMilliseconds(10) || PollInterval > TimeSpan.FromMinutes(1))
            yield return $"{SectionName}:{nameof(PollInterval)} must be between 00:00:00.010 and 00:01:00 (got {PollInterval}).";
        if (MemorySweepInterval < TimeSpan.FromSeconds(1) || MemorySweepInterval > TimeSpan.FromHours(1))
            yield return $"{SectionName}:{nameof(MemorySweepInterval)} must be between 00:00:01 and 01:00:00 (got {MemorySweepInterval}).";
    }
}
