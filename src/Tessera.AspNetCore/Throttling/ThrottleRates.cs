using Microsoft.Extensions.Options;
using Tessera.Core.Throttling;

namespace Tessera.AspNetCore.Throttling;

/// <summary>The configured rates, parsed once (the options are validated at start).</summary>
internal sealed class ThrottleRates
{
    private readonly Dictionary<string, RateLimit?> _rates;

    public ThrottleRates(IOptions<ThrottlingOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Value.Validate().ToList();
        if (problems.Count > 0)
            throw new OptionsValidationException(ThrottlingOptions.SectionName, typeof(ThrottlingOptions), problems);
        _rates = new Dictionary<string, RateLimit?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (scope, rate) in options.Value.Rates)
            _rates[scope] = string.IsNullOrWhiteSpace(rate) ? null : RateLimit.Parse(rate);
    }

    /// <summary>Whether the scope is configured (its rate may still be empty, which turns it off).</summary>
    public bool IsConfigured(string scope) => _rates.ContainsKey(scope);

    /// <summary>The scope's rate; null when the scope is off. Throws for a scope that is not configured.</summary>
    public RateLimit? Get(string scope)
        => _rates.TryGetValue(scope, out var rate)
            ? rate
            : throw new InvalidOperationException(
                $"No throttle rate is set for scope \"{scope}\": add {ThrottlingOptions.SectionName}:{nameof(ThrottlingOptions.Rates)}:{scope} (e.g. \"100/day\", or empty to turn it off).");
}
