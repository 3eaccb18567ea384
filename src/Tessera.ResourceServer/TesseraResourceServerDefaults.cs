namespace Tessera.ResourceServer;

/// <summary>Names the library registers under.</summary>
public static class TesseraResourceServerDefaults
{
    /// <summary>The authentication scheme's default name.</summary>
    public const string AuthenticationScheme = "TesseraResourceServer";

    /// <summary>
    /// The named <see cref="System.Net.Http.HttpClient"/> (IHttpClientFactory) that fetches discovery, the JWKS and the
    /// revocation stream; an app or a test may configure it (a proxy, a test handler).
    /// </summary>
    public const string HttpClientName = "Tessera.ResourceServer";
}
