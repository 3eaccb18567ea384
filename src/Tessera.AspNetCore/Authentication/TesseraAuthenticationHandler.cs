using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Tessera.AspNetCore.Authentication;

/// <summary>
/// One of Tessera's credential kinds as an ASP.NET Core scheme: authenticating is its
/// <see cref="ICredentialScheme"/> through <see cref="CredentialAuthentication"/> (or the chain's
/// decision, when this scheme made it), and challenges and denials answer in DRF's shapes
/// (<see cref="RefusalAnswers"/>). The chain's own challenges and denials are answered without
/// building it, where that answers the same (<see cref="SchemeChainRefusals"/>).
/// </summary>
public abstract class TesseraAuthenticationHandler<TOptions>(
    IOptionsMonitor<TOptions> options, ILoggerFactory logger, UrlEncoder encoder, ICredentialScheme credentials, CredentialAuthentication authentication)
    : AuthenticationHandler<TOptions>(options, logger, encoder)
    where TOptions : AuthenticationSchemeOptions, new()
{
    /// <summary>The header of a 401 for a request with no credentials: the first scheme's, JWT's, as in DRF.</summary>
    public const string DefaultAuthenticateHeader = RefusalAnswers.DefaultAuthenticateHeader;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // Decided by the chain already: the same answer, without proving again.
        if (Context.Features.Get<SchemeChainResult>() is { } decided && decided.DecidingScheme == Scheme.Name)
            return decided.Result;
        return await authentication.AuthenticateAsync(Context, credentials).ConfigureAwait(false);
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
        => await RefusalAnswers.ChallengeAsync(Context, await HandleAuthenticateOnceSafeAsync().ConfigureAwait(false), credentials).ConfigureAwait(false);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => RefusalAnswers.ForbidAsync(Response);
}
