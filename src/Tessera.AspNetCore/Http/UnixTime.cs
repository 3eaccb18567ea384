using System.Globalization;

namespace Tessera.AspNetCore.Http;

/// <summary>Times in responses as DRF's DateTimeField writes them: ISO 8601, microseconds, "Z".</summary>
internal static class UnixTime
{
    public static string Format(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    public static string Format(long unixSeconds) => Format(DateTimeOffset.FromUnixTimeSeconds(unixSeconds).UtcDateTime);
}
