using System.Collections.Concurrent;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tessera.AspNetCore.Authentication;

namespace Tessera.AspNetCore.FastPipeline;

/// <summary>
/// The chain's challenges and denials answered directly: what <c>ChallengeAsync()</c> and
/// <c>ForbidAsync()</c> reach through the authentication service — <see cref="SchemeChainHandler"/>,
/// then the deciding scheme's handler, each built from the request's services — answered by the same
/// code (<see cref="RefusalAnswers"/>) with neither built. So a refusal costs what an admission costs,
/// and a flood of garbage credentials no more than the requests it displaces. It answers only where
/// that provably answers the same, else says no and the caller takes the stock path: the app has not
/// replaced the authentication service; the chain is the default scheme for challenges (denials); the
/// scheme that answers (the one that decided, else the first) is one of Tessera's kinds with
/// Tessera's own handler; its options forward nothing (<c>ForwardChallenge</c>, <c>ForwardForbid</c>,
/// <c>ForwardDefault</c>, <c>ForwardDefaultSelector</c>). Code that names a scheme, and an app's
/// scheme, always take the stock path.
/// </summary>
/// <remarks>
/// The stock handler logs each challenge and denial at Information (event 12, 13); this does not:
/// <see cref="RefusalAnswers"/> writes the refusal's one line, with its reason (<see cref="AuthenticationLog"/>).
/// </remarks>
internal sealed class SchemeChainRefusals
{
    private readonly SchemeChain _chain;
    private readonly IAuthenticationSchemeProvider _schemes;
    private readonly IServiceProvider _services;
    private readonly RefusalAnswers _answers;
    private readonly bool _authenticationServiceIsStock;
    private readonly bool _challengesGoToChain;
    private readonly bool _forbidsGoToChain;
    private readonly ConcurrentDictionary<string, Answerer?> _answerers = new(StringComparer.Ordinal);

    /// <param name="authenticationServiceIsStock">
    /// The app's <see cref="IAuthenticationService"/> is ASP.NET Core's (and the app runs the fast
    /// pipeline: with <see cref="StockPipeline"/>, every refusal takes the stock path).
    /// </param>
    internal SchemeChainRefusals(
        SchemeChain chain, IAuthenticationSchemeProvider schemes, IOptions<AuthenticationOptions> options, IServiceProvider services,
        RefusalAnswers answers, bool authenticationServiceIsStock)
    {
        (_chain, _schemes, _services, _answers, _authenticationServiceIsStock) = (chain, schemes, services, answers, authenticationServiceIsStock);
        // The defaults as the stock scheme provider reads them (fixed at start); another provider may
        // read them otherwise, so it gets the stock path.
        if (schemes.GetType() == typeof(AuthenticationSchemeProvider))
        {
            var o = options.Value;
            var challenge = o.DefaultChallengeScheme ?? o.DefaultScheme;
            _challengesGoToChain = challenge == TesseraSchemes.Default;
            _forbidsGoToChain = (o.DefaultForbidScheme ?? challenge) == TesseraSchemes.Default;
        }
    }

    /// <summary>Answers what <c>ChallengeAsync()</c> (no scheme named) would; false: nothing written, take the stock path.</summary>
    public async ValueTask<bool> TryChallengeAsync(HttpContext context)
        => _challengesGoToChain && await TryChallengeAsync(context, await _chain.AuthenticateAsync(context).ConfigureAwait(false)).ConfigureAwait(false);

    /// <summary>Answers what <c>ForbidAsync()</c> (no scheme named) would; false: nothing written, take the stock path.</summary>
    public async ValueTask<bool> TryForbidAsync(HttpContext context)
        => _forbidsGoToChain && await TryForbidAsync(context, await _chain.AuthenticateAsync(context).ConfigureAwait(false)).ConfigureAwait(false);

    /// <summary>The chain's challenge, given its decision (<see cref="SchemeChainHandler"/> is the default scheme already).</summary>
    internal async ValueTask<bool> TryChallengeAsync(HttpContext context, SchemeChainResult decided)
    {
        var name = decided.DecidingScheme ?? _chain.FirstScheme;
        if (await AnswererAsync(name).ConfigureAwait(false) is not { } answerer || answerer.Forwards(challenge: true))
            return false;
        // No scheme decided: every scheme the request could carry found nothing, so the first scheme's
        // handler, proving again, would find nothing too (it would answer "not provided", in its own
        // challenge's words: the first scheme decides the anonymous answer, as DRF's authenticators[0]).
        var result = decided.DecidingScheme is null ? CredentialAuthentication.NoResult : decided.Result;
        await _answers.ChallengeAsync(context, result, answerer.Credentials).ConfigureAwait(false);
        return true;
    }

    /// <summary>The chain's denial, given its decision.</summary>
    internal async ValueTask<bool> TryForbidAsync(HttpContext context, SchemeChainResult decided)
    {
        var name = decided.DecidingScheme ?? _chain.FirstScheme;
        if (await AnswererAsync(name).ConfigureAwait(false) is not { } answerer || answerer.Forwards(challenge: false))
            return false;
        await _answers.ForbidAsync(context, name).ConfigureAwait(false);
        return true;
    }

    private async ValueTask<Answerer?> AnswererAsync(string name)
    {
        if (!_authenticationServiceIsStock)
            return null;
        if (_answerers.TryGetValue(name, out var answerer))
            return answerer;
        answerer = Create(name, await _schemes.GetSchemeAsync(name).ConfigureAwait(false));
        _answerers[name] = answerer;
        return answerer;
    }

    /// <summary>
    /// The scheme's answerer, when its handler would answer with <see cref="RefusalAnswers"/>: Tessera's
    /// own handler (or its sign-in variant, whose answers are the same, sealed) over one of the chain's kinds.
    /// </summary>
    private Answerer? Create(string name, AuthenticationScheme? scheme)
    {
        if (_chain.CredentialSchemeOf(name) is not { } credentials || scheme?.HandlerType is not { IsGenericType: true } handler)
            return null;
        var definition = handler.GetGenericTypeDefinition();
        if (definition != typeof(TesseraAuthenticationHandler<>) && definition != typeof(TesseraSignInAuthenticationHandler<>))
            return null;
        // IOptionsMonitor is covariant: the scheme's own options, seen as their base type.
        var monitor = (IOptionsMonitor<AuthenticationSchemeOptions>)_services.GetRequiredService(typeof(IOptionsMonitor<>).MakeGenericType(handler.GetGenericArguments()[0]));
        return new Answerer(credentials, monitor, name);
    }

    /// <summary>One of Tessera's schemes, and its options as its handler reads them (per request: they may be reloaded).</summary>
    private sealed record Answerer(ICredentialScheme Credentials, IOptionsMonitor<AuthenticationSchemeOptions> Options, string Name)
    {
        /// <summary>Whether its handler would send this challenge (denial) on to another scheme rather than answer it.</summary>
        public bool Forwards(bool challenge)
        {
            var o = Options.Get(Name);
            return (challenge ? o.ForwardChallenge : o.ForwardForbid) is not null || o.ForwardDefaultSelector is not null || o.ForwardDefault is not null;
        }
    }
}
