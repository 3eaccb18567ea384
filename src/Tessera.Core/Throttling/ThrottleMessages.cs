using System.Globalization;

namespace Tessera.Core.Throttling;

/// <summary>The texts of 429 answers, with DRF's rounding and singular/plural.</summary>
internal static class ThrottleMessages
{
    /// <summary>A wait in whole seconds, rounded up and at least 1, as DRF's <c>math.ceil(wait)</c> in <c>Retry-After</c>.</summary>
    public static int ToSeconds(TimeSpan wait)
    {
        if (wait <= TimeSpan.Zero)
            return 1;
        var seconds = (wait.Ticks + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond;
        return (int)Math.Clamp(seconds, 1, int.MaxValue);
    }

    /// <summary>DRF's <c>Throttled</c> detail: "Request was throttled. Expected available in N seconds."</summary>
    public static string Throttled(int seconds)
        => string.Create(CultureInfo.InvariantCulture, $"Request was throttled. Expected available in {seconds} {Unit(seconds)}.");

    /// <summary>"Too many failed login attempts. Try again in N seconds."</summary>
    public static string TooManyLoginAttempts(int seconds)
        => string.Create(CultureInfo.InvariantCulture, $"Too many failed login attempts. Try again in {seconds} {Unit(seconds)}.");

    private static string Unit(int seconds) => seconds == 1 ? "second" : "seconds";
}
