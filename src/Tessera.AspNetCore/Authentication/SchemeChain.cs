using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Tessera.AspNetCore.Authentication;

internal sealed class SchemeChainOptions
{
    /// <summary>The schemes to try, in order: Tessera's own, then the app's (<c>AddSchemeToChain</c>).</summary>
    public List<string> Schemes { get; } = [];
}

/// <summary>What the chain decided for a request, and which scheme decided (null: none found a credential).</summary>
internal sealed record SchemeChainResult(AuthenticateResult Result, string? DecidingScheme);

/// <summary>
/// DRF's <c>authentication_classes</c> loop: each scheme is asked in order; one that finds no
/// credential of its kind passes; the first that finds one decides alone — its success, or its
/// refusal, which is never a fall-through to the next. Tessera's schemes are called directly
/// (<see cref="ICredentialScheme"/>, skipped without a call when the request cannot carry their
/// credential); an app's own scheme, which may look anywhere, through its handler. A decision is
/// kept on the request (<see cref="SchemeChainResult"/>), so a later challenge or explicit
/// authentication reuses it rather than proving again (a Basic failure must not hash twice).
/// </summary>
internal sealed class SchemeChain
{
    private readonly (string Name, ICredentialScheme? Tessera)[] _schemes;
    private readonly CredentialAuthentication _authentication;

    public SchemeChain(IOptions<SchemeChainOptions> options, IEnumerable<ICredentialScheme> credentialSchemes, CredentialAuthentication authentication)
    {
        var tessera = credentialSchemes.ToDictionary(s => s.Name, StringComparer.Ordinal);
        _schemes = [.. options.Value.Schemes.Select(name => (name, tessera.GetValueOrDefault(name)))];
        _authentication = authentication;
    }

    /// <summary>Whether <paramref name="scheme"/> is one of Tessera's kinds, which the chain calls directly (not an app's).</summary>
    public bool IsCredentialScheme(string? scheme)
    {
        foreach (var (name, tessera) in _schemes)
            if (tessera is not null && name == scheme)
                return true;
        return false;
    }

    /// <summary>The Tessera kind of that name in the chain; null for an app's scheme or one not in it.</summary>
    internal ICredentialScheme? CredentialSchemeOf(string scheme)
    {
        foreach (var (name, tessera) in _schemes)
            if (name == scheme)
                return tessera;
        return null;
    }

    /// <summary>Where challenges and denials go when no scheme decided: the first, JWT's, as in DRF.</summary>
    public string FirstScheme => _schemes[0].Name;

    public async ValueTask<SchemeChainResult> AuthenticateAsync(HttpContext context)
    {
        if (context.Features.Get<SchemeChainResult>() is { } decided)
            return decided;
        foreach (var (name, tessera) in _schemes)
        {
            AuthenticateResult result;
            if (tessera is null)
                result = await context.AuthenticateAsync(name).ConfigureAwait(false);
            else if (!tessera.CouldCarry(context.Request))
                continue; // no credential of this kind
            else
                result = await _authentication.AuthenticateAsync(context, tessera).ConfigureAwait(false);
            if (result.None)
                continue;
            decided = new SchemeChainResult(result, name);
            context.Features.Set(decided);
            return decided;
        }
        return NoneDecided; // not kept: asking again costs only the probes
    }

    private static readonly SchemeChainResult NoneDecided = new(CredentialAuthentication.NoResult, null);
}
