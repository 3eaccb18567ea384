using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Tessera.AspNetCore.Http;

namespace Tessera.AspNetCore.Authentication;

/// <summary>
/// What Tessera's schemes answer to a challenge and to a denial, in DRF's words: one place for their
/// handlers (<see cref="TesseraAuthenticationHandler{TOptions}"/>) and for <see cref="SchemeChainRefusals"/>,
/// which answers without them, so both write the same bytes. A body is the refusal's JSON, encoded
/// once (<see cref="AuthFailure.Utf8Body"/>): a scheme's fixed refusals cost no serialization.
/// </summary>
internal static class RefusalAnswers
{
    /// <summary>The header of a 401 for a request with no credentials: the first scheme's, JWT's, as in DRF.</summary>
    public const string DefaultAuthenticateHeader = "Bearer realm=\"api\"";

    private static readonly AuthFailure PermissionDenied = new(new { detail = ApiResults.Messages.PermissionDenied }, StatusCodes.Status403Forbidden);

    /// <summary>
    /// The challenge of <paramref name="scheme"/>, given what authenticating with it gave: its refusal,
    /// or DRF's "not provided" with the first scheme's header when it found no credential. A 401 carries
    /// the scheme's <c>WWW-Authenticate</c>; a scheme without one (sessions) answers 403, as DRF does.
    /// </summary>
    public static Task ChallengeAsync(HttpContext context, AuthenticateResult result, ICredentialScheme scheme)
    {
        var refused = AuthFailure.From(result);
        if (refused?.Response is { } response)
            return response.ExecuteAsync(context);
        var failure = refused ?? AuthFailure.NotAuthenticated;
        var status = failure.Status;
        if (status == StatusCodes.Status401Unauthorized)
        {
            if ((refused is null ? DefaultAuthenticateHeader : scheme.AuthenticateHeader) is { } header)
                context.Response.Headers.WWWAuthenticate = header;
            else
                status = StatusCodes.Status403Forbidden;
        }
        return WriteAsync(context.Response, status, failure);
    }

    /// <summary>A denial: the user is known, the permission is not there.</summary>
    public static Task ForbidAsync(HttpResponse response) => WriteAsync(response, StatusCodes.Status403Forbidden, PermissionDenied);

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
