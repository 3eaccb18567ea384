using System.Text.Json;

namespace Tessera.Core.Jwt;

/// <summary>
/// JWT NumericDate claims (<c>exp</c>, <c>nbf</c>, <c>iat</c>, <c>refresh_exp</c>). Any JSON number is
/// accepted, as PyJWT does (<c>int(value)</c>: floats truncate toward zero); strings and booleans are
/// not. Values are clamped into what <see cref="DateTimeOffset"/> can hold, so <c>exp = 1e30</c> or a
/// 400-digit number is just "far future", never an overflow.
/// </summary>
internal static class NumericDate
{
    /// <summary>0001-01-01T00:00:00Z.</summary>
    public const long MinSeconds = -62135596800;

    /// <summary>9999-12-31T23:59:59Z.</summary>
    public const long MaxSeconds = 253402300799;

    /// <summary>Seconds (truncated, clamped) and the exact value as a double, for a numeric claim.</summary>
    public static bool TryRead(JsonElement value, out long seconds, out double exact)
    {
        seconds = 0;
        exact = 0;
        if (value.ValueKind != JsonValueKind.Number)
        {
            return false;
        }

        if (value.TryGetInt64(out long integer))
        {
            seconds = Math.Clamp(integer, MinSeconds, MaxSeconds);
            exact = integer;
            return true;
        }

        // Fractions, exponents, and integers beyond long. TryGetDouble yields ±Infinity past
        // double's range; it should not fail for valid JSON, but if it did the sign still decides.
        if (!value.TryGetDouble(out exact))
        {
            exact = value.GetRawText().StartsWith('-') ? double.NegativeInfinity : double.PositiveInfinity;
        }

        double truncated = Math.Truncate(exact);
        seconds = truncated >= MaxSeconds ? MaxSeconds
            : truncated <= MinSeconds ? MinSeconds
            : (long)truncated;
        return true;
    }

    /// <summary>Ticks since the Unix epoch, wide enough that adding a leeway cannot overflow.</summary>
    public static Int128 UnixTicks(DateTimeOffset instant) => (Int128)instant.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;

    public static Int128 SecondsToTicks(long seconds) => (Int128)seconds * TimeSpan.TicksPerSecond;
}
