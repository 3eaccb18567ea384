using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tessera.AspNetCore.Http;
using Tessera.Core.Admission;

namespace Tessera.AspNetCore.Authentication;

/// <summary>
/// The two steps every scheme shares (ARCHITECTURE.md, "The one idea"): the scheme proves its
/// credential (<see cref="ProveAsync"/>), then the one <see cref="AdmissionGate"/> decides whether
/// that login and user are still admitted. Challenges and denials answer in DRF's shapes.
/// </summary>
public abstract class TesseraAuthenticationHandler<TOptions>(IOptionsMonitor<TOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<TOptions>(options, logger, encoder)
    where TOptions : AuthenticationSchemeOptions, new()
{
    /// <summary>The header of a 401 for a request with no credentials: the first scheme's, JWT's, as in DRF.</summary>
    public const string DefaultAuthenticateHeader = "Bearer realm=\"api\"";

    /// <summary>Step 1: turn this scheme's credential into a login, or say there is none, or refuse it.</summary>
    protected abstract ValueTask<ProofResult> ProveAsync();

    /// <summary>The scheme's words for a login the gate turned away; DRF's own authenticators all say this.</summary>
    protected virtual AuthFailure DescribeRejection(AdmissionRejection rejection) => UserInactiveOrDeleted;

    private static readonly AuthFailure UserInactiveOrDeleted = AuthFailure.Detail("User inactive or deleted.");

    /// <summary>The <c>WWW-Authenticate</c> value of this scheme's 401s; null answers 403 instead, as DRF does.</summary>
    protected virtual string? AuthenticateHeader => null;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var proof = await ProveAsync().ConfigureAwait(false);
        if (proof.Failure is { } failure)
            return Refuse(failure);
        if (proof.Login is not { } login)
            return AuthenticateResult.NoResult();

        var allowRevoked = Context.GetEndpoint()?.Metadata.GetMetadata<AllowRevokedLoginMetadata>() is not null;
        var gate = Context.RequestServices.GetRequiredService<AdmissionGate>();
        var admission = await gate.AdmitAsync(login, allowRevoked, Context.RequestAborted).ConfigureAwait(false);
        if (admission.Rejection == AdmissionRejection.RefusedByRule)
            return Refuse(AuthFailure.Detail(admission.Detail!)); // the app's words, the same for every scheme
        if (!admission.IsAdmitted)
            return Refuse(DescribeRejection(admission.Rejection));

        var user = new AuthenticatedUser(admission.User!, login, proof.Credential);
        Context.Features.Set(user);
        return AuthenticateResult.Success(new AuthenticationTicket(user.ToClaimsPrincipal(Scheme.Name), Scheme.Name));
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
            if ((refused is null ? DefaultAuthenticateHeader : AuthenticateHeader) is { } header)
                Response.Headers.WWWAuthenticate = header;
            else
                status = StatusCodes.Status403Forbidden;
        }
        Response.StatusCode = status;
        await Response.WriteAsJsonAsync(failure.Body, TesseraJson.Options, "application/json").ConfigureAwait(false);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
        => ApiResults.WriteDetailAsync(Response, StatusCodes.Status403Forbidden, ApiResults.Messages.PermissionDenied);

    private static AuthenticateResult Refuse(AuthFailure failure) => AuthenticateResult.Fail(new AuthFailureException(failure));
}
