using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Tessera.AspNetCore.Events;
using Tessera.AspNetCore.Http;

namespace Tessera.AspNetCore.Authentication;

/// <summary>
/// What Tessera's schemes answer to a challenge and to a denial, in DRF's words: one place for their
/// handler (<see cref="TesseraAuthenticationHandler{TOptions}"/>) and for the fast path's
/// <c>SchemeChainRefusals</c>, which answers without it, so both write the same bytes, raise the same
/// <see cref="TesseraEvents.OnChallenge"/> and write the same one log line (<see cref="AuthenticationLog"/>).
/// A body is the refusal's JSON, encoded once (<see cref="AuthFailure.Utf8Body"/>): a scheme's fixed
/// refusals cost no serialization.
/// </summary>
internal sealed class RefusalAnswers(TesseraEventsDispatcher events, ILoggerFactory loggers, Metrics.TesseraMetrics metrics)
{
    private static readonly AuthFailure PermissionDenied = new(new { detail = ApiResults.Messages.PermissionDenied }, StatusCodes.Status403Forbidden)
    {
        Reason = RefusalReason.PolicyDenied,
    };

    private readonly ILogger _log = loggers.CreateLogger(AuthenticationLog.Category);

    /// <summary>
    /// The challenge of <paramref name="scheme"/>, given what authenticating with it gave: its refusal,
    /// or DRF's "not provided" when it found no credential. A 401 carries the scheme's own
    /// <c>WWW-Authenticate</c> (its keyword and realm); a scheme without one (sessions) answers 403, as
    /// DRF does — so the chain's first scheme decides how an anonymous request is answered.
    /// </summary>
    public async Task ChallengeAsync(HttpContext context, AuthenticateResult result, ICredentialScheme scheme)
    {
        var refused = AuthFailure.From(result);
        var failure = refused ?? AuthFailure.NotAuthenticated;
        var login = refused is null ? null : context.Features.Get<RefusedLogin>();
        var reason = login?.Reason ?? failure.Reason;
        if (failure.Response is { } response)
        {
            await response.ExecuteAsync(context).ConfigureAwait(false);
            Log(scheme.Name, refused, login, reason, context.Response.StatusCode);
            return;
        }

        var status = failure.Status;
        if (status == StatusCodes.Status401Unauthorized)
        {
            var header = scheme.AuthenticateHeader;
            if (events.HasChallengeHook)
            {
                var challenge = new ChallengeContext(context, scheme.Name, failure, reason, header);
                await events.Events.Challenge(challenge).ConfigureAwait(false);
                if (challenge.Handled)
                {
                    Log(scheme.Name, refused, login, reason, context.Response.StatusCode);
                    return;
                }
                header = challenge.AuthenticateHeader;
            }
            if (header is not null)
                context.Response.Headers.WWWAuthenticate = header;
            else
                status = StatusCodes.Status403Forbidden;
        }
        Log(scheme.Name, refused, login, reason, status);
        await WriteAsync(context.Response, status, failure).ConfigureAwait(false);
    }

    /// <summary>A denial: the user is known, the permission is not there.</summary>
    public Task ForbidAsync(HttpContext context, string scheme)
    {
        AuthenticationLog.PolicyDenied(_log, scheme, context.Features.Get<AuthenticatedUser>()?.User.Id, PermissionDenied.Reason, StatusCodes.Status403Forbidden);
        metrics.Refused(scheme, PermissionDenied.Reason);
        return WriteAsync(context.Response, StatusCodes.Status403Forbidden, PermissionDenied);
    }

    private void Log(string scheme, AuthFailure? refused, RefusedLogin? login, RefusalReason reason, int status)
    {
        metrics.Refused(scheme, reason);
        if (refused is null)
            AuthenticationLog.NoCredentials(_log, scheme, reason, status);
        else if (login is not null)
            AuthenticationLog.LoginRefused(_log, scheme, login.UserId, reason, status);
        else
            AuthenticationLog.CredentialRefused(_log, scheme, reason, status);
    }

    /// <summary>
    /// What <c>WriteAsJsonAsync(body, TesseraJson.Options, "application/json")</c> wrote, from bytes
    /// made once: the same content type, the same body, written and flushed the same way (no length).
    /// </summary>
    private static Task WriteAsync(HttpResponse response, int status, AuthFailure failure)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        var written = response.BodyWriter.WriteAsync(failure.Utf8Body);
        return written.IsCompletedSuccessfully ? Task.CompletedTask : written.AsTask();
    }
}
