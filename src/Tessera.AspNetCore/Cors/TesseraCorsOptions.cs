namespace Tessera.AspNetCore.Cors;

/// <summary>
/// django-cors-headers' settings (section <c>Tessera:Cors</c>): only listed origins get CORS headers;
/// the allowed request headers include <c>Authorization</c>, <c>X-CSRFToken</c> and <c>X-API-Key</c>.
/// </summary>
public sealed class TesseraCorsOptions
{
    public const string SectionName = "Tessera:Cors";
    public const string PolicyName = "Tessera";

    /// <summary>Exact origins (<c>https://app.example.com</c>); none by default: no cross-origin access.</summary>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary>Whether browsers may send cookies cross-origin (CORS_ALLOW_CREDENTIALS, off by default).</summary>
    public bool AllowCredentials { get; set; }

    /// <summary>How long a browser may cache a preflight answer (CORS_PREFLIGHT_MAX_AGE).</summary>
    public TimeSpan PreflightMaxAge { get; set; } = TimeSpan.FromDays(1);

    /// <summary>CORS_ALLOW_HEADERS' defaults plus Tessera's credential headers.</summary>
    public static readonly string[] AllowedHeaders =
        ["accept", "authorization", "content-type", "user-agent", "x-csrftoken", "x-requested-with", "x-api-key"];

    public static readonly string[] AllowedMethods = ["DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT"];

    public IEnumerable<string> Validate()
    {
        foreach (var origin in AllowedOrigins)
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
                || uri.AbsolutePath != "/" || origin.EndsWith('/'))
                yield return $"Tessera:Cors:AllowedOrigins: '{origin}' is not an origin (scheme://host[:port], no path, no trailing slash).";
    }
}
