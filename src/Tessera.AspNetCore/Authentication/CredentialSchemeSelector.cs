using Microsoft.AspNetCore.Http;

namespace Tessera.AspNetCore.Authentication;

/// <summary>
/// The order in which schemes look for their credentials. The first scheme that finds its credential
/// in the request decides alone: bad credentials are that scheme's 401, never a fall-through to the
/// next. A request with none is the first scheme's to challenge.
/// </summary>
public sealed class CredentialSchemeSelector
{
    private readonly List<(string Scheme, Func<HttpContext, bool> HasCredentials)> _schemes = [];

    public void Add(string scheme, Func<HttpContext, bool> hasCredentials) => _schemes.Add((scheme, hasCredentials));

    public string Select(HttpContext context)
    {
        foreach (var (scheme, hasCredentials) in _schemes)
            if (hasCredentials(context))
                return scheme;
        return _schemes.Count > 0 ? _schemes[0].Scheme : throw new InvalidOperationException("No Tessera authentication scheme is registered.");
    }
}
