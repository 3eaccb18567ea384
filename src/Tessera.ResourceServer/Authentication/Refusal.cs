using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Tessera.ResourceServer.Authentication;

/// <summary>
/// What the scheme answers instead of admitting: the status, the JSON body (DRF's and SimpleJWT's
/// shapes) and its <c>detail</c> for the app's challenge hook. Carried inside the failed
/// authentication result, never thrown.
/// </summary>
internal sealed class Refusal : Exception
{
    private Refusal(int status, string detail, object body)
        : base(detail)
    {
        Status = status;
        Detail = detail;
        Utf8Body = JsonSerializer.SerializeToUtf8Bytes(body);
    }

    public int Status { get; }

    public string Detail { get; }

    public byte[] Utf8Body { get; }

    public const string NotValidDetail = "Given token not valid for any token type";

    public static readonly Refusal NotProvided = Unauthorized("Authentication credentials were not provided.");

    public static readonly Refusal PermissionDenied = new(StatusCodes.Status403Forbidden, "You do not have permission to perform this action.", new { detail = "You do not have permission to perform this action." });

    public static readonly Refusal BadHeader = new(StatusCodes.Status401Unauthorized, "Authorization header must contain two space-delimited values",
        new { detail = "Authorization header must contain two space-delimited values", code = "bad_authorization_header" });

    public static readonly Refusal NoUser = new(StatusCodes.Status401Unauthorized, "Token contained no recognizable user identification",
        new { detail = "Token contained no recognizable user identification", code = "token_not_valid" });

    /// <summary>The stream said this token's login, or every login of its user before it, has ended.</summary>
    public static readonly Refusal Revoked = NotValid("Token is blacklisted");

    public static readonly Refusal NotReady = Unavailable("Not ready: the revocation list has not been received from Tessera yet.");

    /// <summary>SimpleJWT's "not valid for any token type", with the one accepted class's message.</summary>
    public static Refusal NotValid(string message) => new(StatusCodes.Status401Unauthorized, NotValidDetail, new
    {
        detail = NotValidDetail,
        code = "token_not_valid",
        messages = new[] { new { token_class = "AccessToken", token_type = "access", message } },
    });

    public static Refusal Unavailable(string detail) => new(StatusCodes.Status503ServiceUnavailable, detail, new { detail });

    public static Refusal Unauthorized(string detail) => new(StatusCodes.Status401Unauthorized, detail, new { detail });
}
