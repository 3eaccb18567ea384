using Microsoft.Extensions.Options;
using Tessera.Core.Throttling;

namespace Tessera.AspNetCore.Throttling;

/// <summary>Request throttling (section <see cref="SectionName"/>): DRF's <c>DEFAULT_THROTTLE_RATES</c>.</summary>
public sealed class ThrottlingOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "Tessera:Throttling";

    /// <summary>The scope DRF's <c>AnonRateThrottle</c> uses: unauthenticated requests, keyed by client address.</summary>
    public const string AnonScope = "anon";

    /// <summary>The scope DRF's <c>UserRateThrottle</c> uses: keyed by user id (by client address when anonymous).</summary>
    public const string UserScope = "user";

    /// <summary>The scope of <c>POST /api/ws-ticket/</c>: a ticket is a row written, so a user asks for a bounded number.</summary>
    internal const string WebSocketTicketScope = "ws_ticket";

    /// <summary>
    /// Scope → DRF rate string ("100/day", "10/minute", ...). An empty value turns the scope off.
    /// Defaults: <c>anon</c> = "100/day", <c>user</c> = "1000/day", and account recovery's (per client
    /// address, or per user when signed in: <c>password_reset</c>, <c>password_reset_confirm</c>,
    /// <c>email_verify</c>, <c>email_verify_confirm</c>; per target email: <c>password_reset_email</c>,
    /// <c>email_verify_email</c>), and <c>ws_ticket</c> = "60/minute" per user (each ticket is a
    /// database write); configured entries add to or replace them.
    /// </summary>
    public Dictionary<string, string?> Rates { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        [AnonScope] = "100/day",
        [UserScope] = "1000/day",
        ["password_reset"] = "20/hour",
        ["password_reset_email"] = "5/hour",
        ["password_reset_confirm"] = "60/hour",
        ["email_verify"] = "20/hour",
        ["email_verify_email"] = "5/hour",
        ["email_verify_confirm"] = "60/hour",
        [WebSocketTicketScope] = "60/minute",
    };

    /// <summary>Returns the configuration problems, empty when the options are usable.</summary>
    public IEnumerable<string> Validate()
    {
        var problems = new List<string>();
        if (Rates is null)
        {
            problems.Add($"{SectionName}:{nameof(Rates)} is missing.");
            return problems;
        }
        foreach (var (scope, rate) in Rates)
        {
            if (string.IsNullOrWhiteSpace(scope))
                problems.Add($"{SectionName}:{nameof(Rates)} has an empty scope name.");
            else if (!string.IsNullOrWhiteSpace(rate) && !RateLimit.TryParse(rate, out _, out var error))
                problems.Add($"{SectionName}:{nameof(Rates)}:{scope}: {error}");
        }
        return problems;
    }
}
