using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Tessera.AspNetCore.Authentication;

/// <summary>
/// Every one of Tessera's credential kinds as an ASP.NET Core scheme, for code that names it
/// (<c>[Authorize(AuthenticationSchemes = "jwt")]</c>, <c>AuthenticateAsync("token")</c>,
/// <c>ChallengeAsync("session")</c>): one handler, as <c>JwtBearerHandler</c> is JwtBearer's,
/// over the kind's <see cref="ICredentialScheme"/> of the same name (the one the chain calls) and its
/// <typeparamref name="TOptions"/>. Authenticating is that scheme through
/// <see cref="CredentialAuthentication"/> (or the chain's decision, when this scheme made it);
/// challenges and denials answer in DRF's shapes, with the scheme's own challenge
/// (<see cref="CredentialSchemeOptions.AuthenticateHeader"/>), through <see cref="RefusalAnswers"/>,
/// which also logs them and raises <c>OnChallenge</c>. The chain's own challenges and denials are
/// answered without building it, where that answers the same (<c>FastPipeline/SchemeChainRefusals</c>).
/// </summary>
/// <remarks>Its answers are sealed: the fast path answers for it, so no subclass may answer otherwise.</remarks>
internal class TesseraAuthenticationHandler<TOptions>(
    IOptionsMonitor<TOptions> options, ILoggerFactory logger, UrlEncoder encoder, SchemeChain chain, CredentialAuthentication authentication)
    : AuthenticationHandler<TOptions>(options, logger, encoder)
    where TOptions : CredentialSchemeOptions, new()
{
    private ICredentialScheme? _credentials;

    /// <summary>The kind this scheme serves: the chain's credential scheme of the same name.</summary>
    protected ICredentialScheme Credentials => _credentials ??= chain.CredentialSchemeOf(Scheme.Name)
        ?? throw new InvalidOperationException($"The scheme '{Scheme.Name}' is not one of Tessera's credential kinds in the chain.");

    protected sealed override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // Decided by the chain already: the same answer, without proving again.
        if (Context.Features.Get<SchemeChainResult>() is { } decided && decided.DecidingScheme == Scheme.Name)
            return decided.Result;
        return await authentication.AuthenticateAsync(Context, Credentials).ConfigureAwait(false);
    }

    protected sealed override async Task HandleChallengeAsync(AuthenticationProperties properties)
        => await Answers.ChallengeAsync(Context, await HandleAuthenticateOnceSafeAsync().ConfigureAwait(false), Credentials).ConfigureAwait(false);

    protected sealed override Task HandleForbiddenAsync(AuthenticationProperties properties) => Answers.ForbidAsync(Context, Scheme.Name);

    private RefusalAnswers Answers => Context.RequestServices.GetRequiredService<RefusalAnswers>();
}

/// <summary>
/// <see cref="TesseraAuthenticationHandler{TOptions}"/> for a kind that also signs in and out
/// (sessions: <c>HttpContext.SignInAsync(TesseraSchemes.Session, principal)</c>), through the kind's
/// <see cref="ICredentialSignIn{TOptions}"/>.
/// </summary>
internal sealed class TesseraSignInAuthenticationHandler<TOptions>(
    IOptionsMonitor<TOptions> options, ILoggerFactory logger, UrlEncoder encoder, SchemeChain chain, CredentialAuthentication authentication,
    ICredentialSignIn<TOptions> signIn)
    : TesseraAuthenticationHandler<TOptions>(options, logger, encoder, chain, authentication), IAuthenticationSignInHandler
    where TOptions : CredentialSchemeOptions, new()
{
    public Task SignInAsync(System.Security.Claims.ClaimsPrincipal user, AuthenticationProperties? properties)
        => signIn.SignInAsync(Context, Options, user, properties);

    public Task SignOutAsync(AuthenticationProperties? properties) => signIn.SignOutAsync(Context, Options, properties);
}

/// <summary>How a credential kind starts and ends a login for the app's own sign-in code (sessions: Django's <c>login()</c>, <c>logout()</c>).</summary>
internal interface ICredentialSignIn<in TOptions> where TOptions : CredentialSchemeOptions
{
    Task SignInAsync(Microsoft.AspNetCore.Http.HttpContext context, TOptions options, System.Security.Claims.ClaimsPrincipal user, AuthenticationProperties? properties);

    Task SignOutAsync(Microsoft.AspNetCore.Http.HttpContext context, TOptions options, AuthenticationProperties? properties);
}
