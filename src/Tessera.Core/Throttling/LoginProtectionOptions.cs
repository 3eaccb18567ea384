namespace Tessera.Core.Throttling;

/// <summary>Brute-force protection of password logins (section <see cref="SectionName"/>).</summary>
public sealed class LoginProtectionOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "Tessera:LoginProtection";

    /// <summary>Whether failed logins are counted, slowed down and refused at all. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Failed logins allowed per username (compared case-insensitively) in a <see cref="Window"/>. Default 10.</summary>
    public int MaxFailuresPerUsername { get; set; } = 10;

    /// <summary>Failed logins allowed per client address in a <see cref="Window"/>. Default 100.</summary>
    public int MaxFailuresPerAddress { get; set; } = 100;

    /// <summary>
    /// How long failures are remembered: a key's window opens at its first failure; once it has
    /// passed the count starts again from zero. Default 15 minutes.
    /// </summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>After this many failures on a key, each further attempt is delayed. Default 3.</summary>
    public int SlowdownAfter { get; set; } = 3;

    /// <summary>The first delay; it doubles with each further failure. Zero turns slowing down off. Default 250 ms.</summary>
    public TimeSpan InitialDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest delay. Default 2 s.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long an attempt may wait for the attempts in flight on its username or address (their
    /// passwords still being checked) when, together with the failures, they fill the limit: they
    /// are not failures, so it waits for them to end rather than being refused. Past it: 429 with
    /// <c>Retry-After: 1</c>. Zero answers that at once. Default 5 s.
    /// </summary>
    public TimeSpan InFlightWait { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Returns the configuration problems, empty when the options are usable.</summary>
    public IEnumerable<string> Validate()
    {
        var problems = new List<string>();
        if (MaxFailuresPerUsername < 1)
            problems.Add($"{SectionName}:{nameof(MaxFailuresPerUsername)} must be at least 1 (got {MaxFailuresPerUsername}).");
        if (MaxFailuresPerAddress < 1)
            problems.Add($"{SectionName}:{nameof(MaxFailuresPerAddress)} must be at least 1 (got {MaxFailuresPerAddress}).");
        if (Window < TimeSpan.FromSeconds(1) || Window > TimeSpan.FromDays(7))
            problems.Add($"{SectionName}:{nameof(Window)} must be between 00:00:01 and 7.00:00:00 (got {Window}).");
        if (SlowdownAfter < 1)
            problems.Add($"{SectionName}:{nameof(SlowdownAfter)} must be at least 1 (got {SlowdownAfter}); set {nameof(InitialDelay)} to 0 to turn slowing down off.");
        if (MaxDelay < TimeSpan.Zero || MaxDelay > TimeSpan.FromSeconds(30))
            problems.Add($"{SectionName}:{nameof(MaxDelay)} must be between 0 and 00:00:30 (got {MaxDelay}).");
        if (InFlightWait < TimeSpan.Zero || InFlightWait > TimeSpan.FromMinutes(1))
            problems.Add($"{SectionName}:{nameof(InFlightWait)} must be between 0 and 00:01:00 (got {InFlightWait}).");
        if (InitialDelay < TimeSpan.Zero || InitialDelay > MaxDelay)
            problems.Add($"{SectionName}:{nameof(InitialDelay)} must be between 0 and {nameof(MaxDelay)} (got {InitialDelay}).");
        return problems;
    }
}
