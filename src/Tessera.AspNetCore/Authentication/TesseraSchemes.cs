namespace Tessera.AspNetCore.Authentication;

/// <summary>The authentication scheme names Tessera registers.</summary>
public static class TesseraSchemes
{
    /// <summary>The default scheme: forwards each request to the one scheme whose credentials it carries.</summary>
    public const string Default = "Tessera";

    public const string Jwt = "jwt";
}
