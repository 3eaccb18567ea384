using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace Tessera.AspNetCore.Authentication;

/// <summary>
/// The <see cref="SchemeChain"/> as ASP.NET Core's default scheme, for code that authenticates,
/// challenges or forbids without naming a scheme. Challenges and denials go to the scheme that
/// decided, or to the first scheme when none did. Requests themselves are authenticated by
/// <see cref="TesseraAuthenticationMiddleware"/>, which calls the chain without building this handler.
/// </summary>
public sealed class SchemeChainHandler(SchemeChain chain) : IAuthenticationHandler
{
    private HttpContext _context = null!;

    public Task InitializeAsync(AuthenticationScheme scheme, HttpContext context)
    {
        _context = context;
        return Task.CompletedTask;
    }

    public async Task<AuthenticateResult> AuthenticateAsync() => (await chain.AuthenticateAsync(_context).ConfigureAwait(false)).Result;

    public async Task ChallengeAsync(AuthenticationProperties? properties)
    {
        var decided = await chain.AuthenticateAsync(_context).ConfigureAwait(false);
        await _context.ChallengeAsync(decided.DecidingScheme ?? chain.FirstScheme, properties).ConfigureAwait(false);
    }

    public async Task ForbidAsync(AuthenticationProperties? properties)
    {
        var decided = await chain.AuthenticateAsync(_context).ConfigureAwait(false);
        await _context.ForbidAsync(decided.DecidingScheme ?? chain.FirstScheme, properties).ConfigureAwait(false);
    }
}
