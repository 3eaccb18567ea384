using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace Tessera.AspNetCore.Authentication;

/// <summary>Why a request's credentials were refused, as the body the scheme answers with (DRF's shapes differ per scheme).</summary>
/// <param name="Response">A complete answer to give instead of <paramref name="Body"/> (a 429 with Retry-After).</param>
public sealed record AuthFailure(object Body, int Status = StatusCodes.Status401Unauthorized, IResult? Response = null)
{
    public static AuthFailure From(IResult response) => new(new { }, StatusCodes.Status429TooManyRequests, response);

    public static AuthFailure Detail(string detail) => new(new { detail });

    public static AuthFailure Detail(string detail, string code) => new(new { detail, code });

    /// <summary>The refusal carried by an authentication result, if it is one of Tessera's.</summary>
    public static AuthFailure? From(AuthenticateResult result) => (result.Failure as AuthFailureException)?.Failure;
}

/// <summary>Carries an <see cref="AuthFailure"/> inside <see cref="AuthenticateResult.Fail(Exception)"/>.</summary>
public sealed class AuthFailureException(AuthFailure failure) : Exception("Credentials refused.")
{
    public AuthFailure Failure { get; } = failure;
}
