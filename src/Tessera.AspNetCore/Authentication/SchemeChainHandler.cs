using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Tessera.AspNetCore.Authentication;

public sealed class SchemeChainOptions
{
    /// <summary>The schemes to try, in order.</summary>
    public List<string> Schemes { get; } = [];

    /// <summary>
    /// For each scheme that has one, whether a request could carry its credential at all (JWT: an
    /// <c>Authorization</c> header whose first word is its keyword; sessions: the cookie; the API-key
    /// header): the chain skips a scheme whose probe says no without building its handler, which
    /// would only have found nothing, so an anonymous request builds none and one with an API key
    /// builds one. An app's own scheme, which may look anywhere, has none and is always asked.
    /// </summary>
    public Dictionary<string, Func<HttpRequest, bool>> CredentialProbes { get; } = new(StringComparer.Ordinal);
}

/// <summary>
/// DRF's <c>authentication_classes</c> loop as the default scheme: each scheme is asked in order; one
/// that finds no credential of its kind passes; the first that finds one decides alone — its
/// success, or its refusal, which is never a fall-through to the next. Challenges and denials go
/// to the scheme that decided, or to the first scheme when none did.
/// </summary>
public sealed class SchemeChainHandler(IOptions<SchemeChainOptions> options) : IAuthenticationHandler
{
    private HttpContext _context = null!;
    private string? _decidingScheme;
    private AuthenticateResult? _result;

    public Task InitializeAsync(AuthenticationScheme scheme, HttpContext context)
    {
        _context = context;
        return Task.CompletedTask;
    }

    public async Task<AuthenticateResult> AuthenticateAsync()
    {
        if (_result is not null)
            return _result;
        var probes = options.Value.CredentialProbes;
        foreach (var scheme in options.Value.Schemes)
        {
            if (probes.TryGetValue(scheme, out var couldCarry) && !couldCarry(_context.Request))
                continue; // no credential of this kind: no handler built to say so
            var result = await _context.AuthenticateAsync(scheme).ConfigureAwait(false);
            if (result.None)
                continue;
            _decidingScheme = scheme;
            return _result = result;
        }
        return _result = AuthenticateResult.NoResult();
    }

    public async Task ChallengeAsync(AuthenticationProperties? properties)
    {
        await AuthenticateAsync().ConfigureAwait(false);
        await _context.ChallengeAsync(_decidingScheme ?? options.Value.Schemes[0], properties).ConfigureAwait(false);
    }

    public async Task ForbidAsync(AuthenticationProperties? properties)
    {
        await AuthenticateAsync().ConfigureAwait(false);
        await _context.ForbidAsync(_decidingScheme ?? options.Value.Schemes[0], properties).ConfigureAwait(false);
    }
}
