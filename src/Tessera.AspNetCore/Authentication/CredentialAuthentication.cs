using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Tessera.AspNetCore.Http;
using Tessera.Core.Admission;

namespace Tessera.AspNetCore.Authentication;

/// <summary>
/// The two steps every scheme shares (ARCHITECTURE.md, "The one idea"): the scheme proves its
/// credential, then the one <see cref="AdmissionGate"/> decides whether that login and user are
/// still admitted. One place, for the chain and for each scheme's handler alike.
/// </summary>
internal sealed class CredentialAuthentication(AdmissionGate gate, Metrics.TesseraMetrics metrics, ILoggerFactory loggers, Core.Logins.LoginActivity? activity = null)
{
    private readonly ILogger _accessLog = loggers.CreateLogger(AccessLog.Category);

    /// <summary>No credential of a kind: one instance, as nothing in it can change.</summary>
    internal static readonly AuthenticateResult NoResult = AuthenticateResult.NoResult();

    /// <summary>A scoped credential on an endpoint that accepts none of its scopes: DRF's permission denied.</summary>
    internal static readonly AuthFailure ScopeNotAccepted = new(new { detail = ApiResults.Messages.PermissionDenied }, StatusCodes.Status403Forbidden)
    {
        Reason = RefusalReason.ScopeNotAccepted,
    };

    public async ValueTask<AuthenticateResult> AuthenticateAsync(HttpContext context, ICredentialScheme scheme)
    {
        var result = await scheme.ProveAsync(context).ConfigureAwait(false);
        if (result.Failure is { } failure)
            return Refuse(failure);
        if (result.Proof is not { } proof)
            return NoResult;

        var allowRevoked = context.GetEndpoint()?.Metadata.GetMetadata<AllowRevokedLoginMetadata>() is not null;
        var admission = await gate.AdmitAsync(proof, allowRevoked, context.RequestAborted).ConfigureAwait(false);
        if (!admission.IsAdmitted)
        {
            // Who was turned away and why, for the refusal's log line: the scheme's words say it alike for several reasons.
            context.Features.Set(new RefusedLogin(proof.UserId, ReasonOf(admission.Rejection)));
            return admission.Rejection == AdmissionRejection.RefusedByRule
                ? Refuse(AuthFailure.Detail(admission.Detail!, RefusalReason.RefusedByRule)) // the app's words, the same for every scheme
                : Refuse(scheme.DescribeRejection(admission.Rejection));
        }

        // Least privilege, decided here so that every pipeline and every kind enforces it: a scoped
        // credential is this user only where the endpoint accepts one of its scopes.
        if (proof.Scopes.Count > 0 && !AcceptedScopesMetadata.Admits(context.GetEndpoint(), proof.Scopes))
        {
            context.Features.Set(new RefusedLogin(proof.UserId, RefusalReason.ScopeNotAccepted));
            return Refuse(ScopeNotAccepted);
        }

        // A cookie a browser sent by itself to a WebSocket or hub from a page of another site (no CORS there).
        if (RealTime.RealTimeOrigin.Check(context) is { } foreignOrigin)
        {
            context.Features.Set(new RefusedLogin(proof.UserId, RefusalReason.CsrfFailed));
            return Refuse(foreignOrigin);
        }

        var user = new AuthenticatedUser(admission.User!, proof, result.Credential);
        context.Features.Set(user);
        metrics.Admitted(scheme.Name);
        if (_accessLog.IsEnabled(LogLevel.Information))
            AccessLog.Accessed(_accessLog, user.User.Id, scheme.Name, context.Request.Method, context.Request.Path.ToUriComponent());
        // Its "last used": memory only, a read while the minute is unchanged (LoginActivity).
        if (proof.Login is { } login)
            activity?.Note(login);
        return AuthenticateResult.Success(new AuthenticationTicket(user.ToClaimsPrincipal(scheme.Name), scheme.Name));
    }

    private static RefusalReason ReasonOf(AdmissionRejection rejection) => rejection switch
    {
        AdmissionRejection.LoginRevoked => RefusalReason.LoginRevoked,
        AdmissionRejection.UserInactive => RefusalReason.UserInactive,
        AdmissionRejection.RefusedByRule => RefusalReason.RefusedByRule,
        _ => RefusalReason.UserNotFound,
    };

    /// <summary>The refusal's own result: a scheme's fixed refusal makes one, not one per request.</summary>
    private static AuthenticateResult Refuse(AuthFailure failure) => failure.Result;
}

/// <summary>A login the gate turned away on this request: its user and why (a request feature, set only when it refuses).</summary>
internal sealed record RefusedLogin(long UserId, RefusalReason Reason);
