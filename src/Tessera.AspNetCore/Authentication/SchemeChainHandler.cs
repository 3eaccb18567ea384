using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Tessera.AspNetCore.FastPipeline;

namespace Tessera.AspNetCore.Authentication;

/// <summary>
/// The <see cref="SchemeChain"/> as ASP.NET Core's default scheme, for code that authenticates,
/// challenges or forbids without naming a scheme. Challenges and denials go to the scheme that
/// decided, or to the first scheme when none did. Requests themselves are authenticated by
/// <see cref="TesseraAuthenticationMiddleware"/>, which calls the chain without building this handler,
/// and the authorization middleware's challenges and denials by <see cref="SchemeChainRefusals"/>,
/// which answers them without it; this handler answers through it too, so a Tessera scheme's handler
/// is built only where that answers differently.
/// </summary>
internal sealed class SchemeChainHandler(SchemeChain chain, SchemeChainRefusals refusals) : IAuthenticationHandler
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
        if (!await refusals.TryChallengeAsync(_context, decided).ConfigureAwait(false))
            await _context.ChallengeAsync(decided.DecidingScheme ?? chain.FirstScheme, properties).ConfigureAwait(false);
    }

    public async Task ForbidAsync(AuthenticationProperties? properties)
    {
        var decided = await chain.AuthenticateAsync(_context).ConfigureAwait(false);
        if (!await refusals.TryForbidAsync(_context, decided).ConfigureAwait(false))
            await _context.ForbidAsync(decided.DecidingScheme ?? chain.FirstScheme, properties).ConfigureAwait(false);
    }
}
