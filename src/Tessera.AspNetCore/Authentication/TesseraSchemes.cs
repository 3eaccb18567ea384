namespace Tessera.AspNetCore.Authentication;

/// <summary>The authentication scheme names Tessera registers.</summary>
public static class TesseraSchemes
{
    /// <summary>The default scheme: tries the schemes below in order (see <see cref="SchemeChainHandler"/>).</summary>
    public const string Default = "Tessera";

    public const string Jwt = "jwt";
    public const string Session = "session";
    public const string Token = "token";
    public const string Basic = "basic";
    public const string ApiKey = "api_key";

    /// <summary>A real-time ticket (<c>?ticket=</c> from <c>POST /api/ws-ticket/</c>), on real-time endpoints only.</summary>
    public const string Ticket = "ticket";

    /// <summary>DRF's order in the API contract: the first scheme that finds its credential decides.</summary>
    public static readonly IReadOnlyList<string> InOrder = [Jwt, Session, Token, Basic, ApiKey];
}
