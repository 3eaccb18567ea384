using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Tessera.Core.Throttling;

/// <summary>
/// A request rate as DRF writes it: <c>"&lt;requests&gt;/&lt;period&gt;"</c>, e.g. <c>"100/day"</c>,
/// <c>"10/minute"</c>, <c>"5/s"</c>. As in DRF, only the first letter of the period counts
/// (<c>s</c>, <c>m</c>, <c>h</c>, <c>d</c>, lower case), so <c>"3/hour"</c> = <c>"3/h"</c> = <c>"3/hxyz"</c>.
/// </summary>
public sealed record RateLimit
{
    /// <summary>Requests allowed per <see cref="Period"/>; also the burst (that many may pass at once).</summary>
    public int Requests { get; }

    /// <summary>The period over which <see cref="Requests"/> are allowed.</summary>
    public TimeSpan Period { get; }

    /// <summary>Time between two requests at the sustained rate: the allowance refills one request per interval.</summary>
    public TimeSpan EmissionInterval => TimeSpan.FromTicks(Period.Ticks / Requests);

    public RateLimit(int requests, TimeSpan period)
    {
        if (requests < 1)
            throw new ArgumentOutOfRangeException(nameof(requests), requests, "A rate must allow at least one request.");
        if (period <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(period), period, "A rate's period must be positive.");
        if (period.Ticks / requests < 1)
            throw new ArgumentOutOfRangeException(nameof(requests), requests, "Too many requests for the period (more than one per 100 ns).");
        Requests = requests;
        Period = period;
    }

    /// <summary>Parses a DRF rate string; throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static RateLimit Parse(string? rate)
        => TryParse(rate, out var limit, out var error) ? limit : throw new FormatException(error);

    /// <summary>Parses a DRF rate string; on failure <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(string? rate, [NotNullWhen(true)] out RateLimit? limit, [NotNullWhen(false)] out string? error)
    {
        limit = null;
        const string expected = "expected \"<requests>/<period>\" such as \"100/day\", \"10/minute\" or \"5/s\", where the period starts with s, m, h or d";
        if (string.IsNullOrWhiteSpace(rate))
        {
            error = $"The rate is empty: {expected}.";
            return false;
        }
        var slash = rate.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || rate.IndexOf('/', slash + 1) >= 0)
        {
            error = $"The rate \"{rate}\" is invalid: {expected}.";
            return false;
        }
        var number = rate.AsSpan(0, slash).Trim();
        var period = rate.AsSpan(slash + 1).Trim();
        if (!int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var requests))
        {
            error = $"The rate \"{rate}\" is invalid: \"{number}\" is not a whole number of requests; {expected}.";
            return false;
        }
        if (requests < 1)
        {
            error = $"The rate \"{rate}\" is invalid: it must allow at least one request.";
            return false;
        }
        TimeSpan? duration = period.IsEmpty ? null : period[0] switch
        {
            's' => TimeSpan.FromSeconds(1),
            'm' => TimeSpan.FromMinutes(1),
            'h' => TimeSpan.FromHours(1),
            'd' => TimeSpan.FromDays(1),
            _ => null,
        };
        if (duration is not { } d)
        {
            error = $"The rate \"{rate}\" is invalid: unknown period \"{period}\"; {expected}.";
            return false;
        }
        if (d.Ticks / requests < 1)
        {
            error = $"The rate \"{rate}\" is invalid: too many requests for the period.";
            return false;
        }
        limit = new RateLimit(requests, d);
        error = null;
        return true;
    }

    public override string ToString()
    {
        var unit = Period == TimeSpan.FromSeconds(1) ? "second"
            : Period == TimeSpan.FromMinutes(1) ? "minute"
            : Period == TimeSpan.FromHours(1) ? "hour"
            : Period == TimeSpan.FromDays(1) ? "day"
            : null;
        return unit is null
            ? string.Create(CultureInfo.InvariantCulture, $"{Requests} per {Period}")
            : string.Create(CultureInfo.InvariantCulture, $"{Requests}/{unit}");
    }
}
