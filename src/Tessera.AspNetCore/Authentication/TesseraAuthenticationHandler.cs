using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tessera.AspNetCore.Http;

namespace Tessera.AspNetCore.Authentication;

/// <summary>
/// One of Tessera's credential kinds as an ASP.NET Core scheme: authenticating is its
/// <see cref="ICredentialScheme"/> through <see cref="CredentialAuthentication"/> (or the chain's
/// decision, when this scheme made it), and challenges and denials answer in DRF's shapes.
/// </summary>
public abstract class TesseraAuthenticationHandler<TOptions>(
    IOptionsMonitor<TOptions> options, ILoggerFactory logger, UrlEncoder encoder, ICredentialScheme credentials, CredentialAuthentication authentication)
    : AuthenticationHandler<TOptions>(options, logger, encoder)
    where TOptions : AuthenticationSchemeOptions, new()
{
    /// <summary>The header of a 401 for a request with no credentials: the first scheme's, JWT's, as in DRF.</summary>
    public const string DefaultAuthenticateHeader = "Bearer realm=\"api\"";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // Decided by the chain already: the same answer, without proving again.
        if (Context.Features.Get<SchemeChainResult>() is { } decided && decided.DecidingScheme == Scheme.Name)
            return decided.Result;
        return await authentication.AuthenticateAsync(Context, credentials).ConfigureAwait(false);
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var refused = AuthFailure.From(await HandleAuthenticateOnceSafeAsync().ConfigureAwait(false));
        if (refused?.Response is { } response)
        {
            await response.ExecuteAsync(Context).ConfigureAwait(false);
            return;
        }
        var failure = refused ?? AuthFailure.Detail(ApiResults.Messages.NotAuthenticated);
        var status = failure.Status;
        if (status == StatusCodes.Status401Unauthorized)
        {
            if ((refused is null ? DefaultAuthenticateHeader : credentials.AuthenticateHeader) is { } header)
                Response.Headers.WWWAuthenticate = header;
            else
                status = StatusCodes.Status403Forbidden;
        }
        Response.StatusCode = status;
        await Response.WriteAsJsonAsync(failure.Body, TesseraJson.Options, "application/json").ConfigureAwait(false);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
        => ApiResults.WriteDetailAsync(Response, StatusCodes.Status403Forbidden, ApiResults.Messages.PermissionDenied);
}
