using Tessera.Core.Credentials;

namespace Tessera.AspNetCore.Credentials;

/// <summary>Section <c>Tessera:Credentials</c>: how sessions, DRF tokens and API keys are admitted from memory.</summary>
public sealed class RememberedCredentialsOptions
{
    public const string SectionName = "Tessera:Credentials";

    /// <summary>
    /// How long a session, DRF token or API key read from the database is remembered, so that its
    /// next requests cost no read. Revocations do not wait for it (they reach memory through the
    /// feed); it bounds how long a row deleted behind Tessera's back (by hand, in SQL) still
    /// admits. Zero reads the database on every request. At most
    /// <see cref="RememberedCredentials.MaxLifetime"/>.
    /// </summary>
    public TimeSpan RememberFor { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The most credentials remembered at once (each about 370 bytes with its row: 100,000 take about 36 MiB).</summary>
    public int Capacity { get; set; } = RememberedCredentials.DefaultCapacity;

    public IEnumerable<string> Validate()
    {
        if (RememberFor < TimeSpan.Zero || RememberFor > RememberedCredentials.MaxLifetime)
            yield return $"{SectionName}:{nameof(RememberFor)} must be between 00:00:00 and {RememberedCredentials.MaxLifetime} (got {RememberFor}).";
        if (Capacity < 1)
            yield return $"{SectionName}:{nameof(Capacity)} must be at least 1 (got {Capacity}).";
    }
}
