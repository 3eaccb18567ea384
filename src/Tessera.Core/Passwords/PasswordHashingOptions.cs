namespace Tessera.Core.Passwords;

/// <summary>Configuration of password hashing (section <see cref="SectionName"/>).</summary>
public sealed class PasswordHashingOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "Tessera:Passwords";

    /// <summary>The lowest iteration count accepted for new hashes (Django 1.4 started at 10,000).</summary>
    public const int MinIterations = 1_000;

    /// <summary>
    /// The highest iteration count, both for new hashes and for stored ones we agree to verify:
    /// a crafted database row must not be able to pin a CPU for minutes.
    /// </summary>
    public const int MaxIterations = 10_000_000;

    /// <summary>Upper bound for <see cref="MaxConcurrency"/> (each unit is a dedicated thread).</summary>
    public const int MaxThreads = 256;

    /// <summary>Upper bound for <see cref="QueueLimit"/>.</summary>
    public const int MaxQueueLimit = 1_000_000;

    /// <summary>
    /// PBKDF2-HMAC-SHA256 iterations for new hashes. Default 600,000: OWASP's current recommendation
    /// (and Django 4.2's). Stored hashes with fewer iterations verify and are flagged for rehash.
    /// </summary>
    public int Iterations { get; set; } = 600_000;

    /// <summary>
    /// Number of dedicated hashing threads. Default: the processor count. The threads run at a low
    /// priority, so logins use every core that requests leave idle, and a login flood still leaves
    /// authenticated traffic the cores it wants.
    /// </summary>
    public int MaxConcurrency { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// Whether the hashing threads run at a low scheduling priority (<see cref="LowPriorityThread"/>).
    /// Default true; false gives them the priority of every other thread, for a deployment that
    /// does nothing but logins, or a measurement of what a hash costs rather than when it is scheduled.
    /// </summary>
    public bool LowPriority { get; set; } = true;

    /// <summary>
    /// How many hash/verify requests may wait for a thread; beyond it requests fail fast with
    /// <see cref="PasswordHashingBusyException"/>.
    /// </summary>
    public int QueueLimit { get; set; } = 1_000;

    /// <summary>Returns the configuration problems, empty when the options are usable.</summary>
    public IEnumerable<string> Validate()
    {
        var problems = new List<string>();
        if (Iterations < MinIterations)
        {
            problems.Add($"{SectionName}:{nameof(Iterations)} must be at least {MinIterations} (got {Iterations}); 600000 is recommended.");
        }
        else if (Iterations > MaxIterations)
        {
            problems.Add($"{SectionName}:{nameof(Iterations)} must be at most {MaxIterations} (got {Iterations}).");
        }

        if (MaxConcurrency < 1 || MaxConcurrency > MaxThreads)
        {
            problems.Add($"{SectionName}:{nameof(MaxConcurrency)} must be between 1 and {MaxThreads} (got {MaxConcurrency}).");
        }

        if (QueueLimit < 1 || QueueLimit > MaxQueueLimit)
        {
            problems.Add($"{SectionName}:{nameof(QueueLimit)} must be between 1 and {MaxQueueLimit} (got {QueueLimit}).");
        }

        return problems;
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every problem, if any.</summary>
    internal void ThrowIfInvalid(string paramName)
    {
        var problems = Validate().ToList();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid password hashing options: " + string.Join(" ", problems), paramName);
        }
    }
}
