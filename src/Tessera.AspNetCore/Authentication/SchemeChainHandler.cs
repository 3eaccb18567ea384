using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Tessera.AspNetCore.Authentication;

public sealed class SchemeChainOptions
{
    /// <summary>The schemes to try, in order.</summary>
    public List<string> Schemes { get; } = [];

    /// <summary>
    /// The request headers in which Tessera's schemes look for a credential (<c>Authorization</c>,
    /// <c>Cookie</c>, the API-key header). A request with none of them carries no credential any of
    /// them could find: the chain skips them without building a handler (an app's own scheme, which
    /// may look anywhere, is still asked).
    /// </summary>
    public HashSet<string> CredentialHeaders { get; } = new(StringComparer.OrdinalIgnoreCase) { "Authorization", "Cookie" };
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
        var carriesCredential = CarriesCredential(_context.Request.Headers, options.Value.CredentialHeaders);
        foreach (var scheme in options.Value.Schemes)
        {
            if (!carriesCredential && TesseraSchemes.InOrder.Contains(scheme))
                continue; // an anonymous request costs no handler of ours
            var result = await _context.AuthenticateAsync(scheme).ConfigureAwait(false);
            if (result.None)
                continue;
            _decidingScheme = scheme;
            return _result = result;
        }
        return _result = AuthenticateResult.NoResult();
    }

    private static bool CarriesCredential(IHeaderDictionary headers, HashSet<string> credentialHeaders)
    {
        foreach (var name in credentialHeaders)
            if (headers.ContainsKey(name))
                return true;
        return false;
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
