using Microsoft.Extensions.Logging;

namespace Tessera.AspNetCore.Authentication;

/// <summary>
/// Every line Tessera writes when it refuses a request, one per refused request (where its answer is
/// written, not per scheme tried), under the category <see cref="Category"/>, at Information, with
/// event ids 2000–2099 (stable: an operator may filter or alert on them). A line names the scheme,
/// the reason (<see cref="RefusalReason"/>), the status answered and the user's id when it is known;
/// never the credential, nor any header's value. Each is a <see cref="LoggerMessageAttribute"/>
/// method, so a disabled level costs a check and no formatting, and an admitted request none at all.
/// </summary>
internal static partial class AuthenticationLog
{
    /// <summary>The category of these lines (the server's settings hold it at Warning: a line per refusal is what a flood of them would cost).</summary>
    public const string Category = "Tessera.AspNetCore.Authentication.Refusals";

    /// <summary>No credential where one is required: the scheme named (the chain's first) challenged.</summary>
    public const int NoCredentialsId = 2001;

    /// <summary>A credential its scheme refused before knowing the user (malformed, unknown, expired, forged, CSRF).</summary>
    public const int CredentialRefusedId = 2002;

    /// <summary>A proven login the gate turned away (revoked, user inactive or gone, the app's rule): the user is known.</summary>
    public const int LoginRefusedId = 2003;

    /// <summary>An authenticated user the endpoint's policy does not allow.</summary>
    public const int PolicyDeniedId = 2004;

    [LoggerMessage(EventId = NoCredentialsId, Level = LogLevel.Information,
        Message = "Request refused: no credentials; scheme {AuthenticationScheme} challenged ({Reason}), answered {StatusCode}")]
    internal static partial void NoCredentials(ILogger logger, string authenticationScheme, RefusalReason reason, int statusCode);

    [LoggerMessage(EventId = CredentialRefusedId, Level = LogLevel.Information,
        Message = "Request refused: scheme {AuthenticationScheme} refused its credential ({Reason}), answered {StatusCode}")]
    internal static partial void CredentialRefused(ILogger logger, string authenticationScheme, RefusalReason reason, int statusCode);

    [LoggerMessage(EventId = LoginRefusedId, Level = LogLevel.Information,
        Message = "Request refused: scheme {AuthenticationScheme} proved a login of user {UserId} that is not admitted ({Reason}), answered {StatusCode}")]
    internal static partial void LoginRefused(ILogger logger, string authenticationScheme, long userId, RefusalReason reason, int statusCode);

    [LoggerMessage(EventId = PolicyDeniedId, Level = LogLevel.Information,
        Message = "Request refused: user {UserId} ({AuthenticationScheme}) is not allowed by the endpoint's policy ({Reason}), answered {StatusCode}")]
    internal static partial void PolicyDenied(ILogger logger, string authenticationScheme, long? userId, RefusalReason reason, int statusCode);
}
