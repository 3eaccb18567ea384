namespace Tessera.Core.Audit;

/// <summary>The audit trail (<c>Tessera:Audit</c>).</summary>
public sealed class AuditOptions
{
    public const string SectionName = "Tessera:Audit";

    /// <summary>How long events are kept; the sweeper deletes older ones.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(90);

    /// <summary>
    /// Failed (and, apart, refused) sign-ins written per window for one username (for one address when
    /// there is none); beyond that they are counted, and written as one row per event name when the
    /// window ends.
    /// </summary>
    public int FailuresPerKey { get; set; } = 10;

    /// <summary>Failed (and, apart, refused) sign-ins written per window in all, whatever their keys.</summary>
    public int FailuresPerWindow { get; set; } = 1000;

    /// <summary>The window of <see cref="FailuresPerKey"/> and <see cref="FailuresPerWindow"/>.</summary>
    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(15);

    public IEnumerable<string> Validate()
    {
        if (Retention <= TimeSpan.Zero)
            yield return "Tessera:Audit:Retention must be positive.";
        if (FailuresPerKey < 0 || FailuresPerWindow < 0)
            yield return "Tessera:Audit:FailuresPerKey and FailuresPerWindow must not be negative.";
        if (FailureWindow < TimeSpan.FromSeconds(1))
            yield return "Tessera:Audit:FailureWindow must be at least a second.";
    }
}
