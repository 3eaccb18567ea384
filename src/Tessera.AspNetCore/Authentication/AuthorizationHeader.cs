using Microsoft.AspNetCore.Http;

namespace Tessera.AspNetCore.Authentication;

/// <summary>Reads <c>Authorization</c> the way DRF's authenticators do.</summary>
public static class AuthorizationHeader
{
    /// <summary>
    /// The header split on whitespace like Python's <c>str.split()</c> when its first word is
    /// <paramref name="keyword"/>; null when it is some other scheme's. DRF's own authenticators
    /// compare the keyword case-insensitively, SimpleJWT's exactly.
    /// </summary>
    public static string[]? Split(HttpRequest request, string keyword, StringComparison comparison = StringComparison.OrdinalIgnoreCase)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.Length == 0)
            return null;
        var parts = header.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return parts.Length > 0 && parts[0].Equals(keyword, comparison) ? parts : null;
    }
}
