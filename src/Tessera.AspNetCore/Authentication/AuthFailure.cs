using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Tessera.AspNetCore.Http;

namespace Tessera.AspNetCore.Authentication;

/// <summary>Why a request's credentials were refused, as the body the scheme answers with (DRF's shapes differ per scheme).</summary>
/// <param name="Response">A complete answer to give instead of <paramref name="Body"/> (a 429 with Retry-After).</param>
/// <remarks>
/// <see cref="Reason"/> says why, for the log and the app's events: it is not part of the answer, nor
/// of equality.
/// </remarks>
/// <remarks>
/// A refusal kept in a static field (a scheme's fixed words) costs nothing per request after its
/// first: its authentication result and its body's UTF-8 are made once, on first use, and kept.
/// Equality is the record's over the three values, not those.
/// </remarks>
public sealed record AuthFailure(object Body, int Status = StatusCodes.Status401Unauthorized, IResult? Response = null)
{
    /// <summary>DRF's answer to a request with no credentials where they are required.</summary>
    public static AuthFailure NotAuthenticated { get; } = Detail(ApiResults.Messages.NotAuthenticated, RefusalReason.NoCredentials);

    /// <summary>Why, for the operator's log (<see cref="AuthenticationLog"/>); the client sees only the body.</summary>
    public RefusalReason Reason { get; init; } = RefusalReason.InvalidCredentials;

    private AuthenticateResult? _result;
    private byte[]? _utf8;

    public static AuthFailure From(IResult response) => new(new { }, StatusCodes.Status429TooManyRequests, response) { Reason = RefusalReason.Throttled };

    public static AuthFailure Detail(string detail) => new(new { detail });

    public static AuthFailure Detail(string detail, RefusalReason reason) => new(new { detail }) { Reason = reason };

    public static AuthFailure Detail(string detail, string code) => new(new { detail, code });

    public static AuthFailure Detail(string detail, string code, RefusalReason reason) => new(new { detail, code }) { Reason = reason };

    /// <summary>The refusal carried by an authentication result, if it is one of Tessera's.</summary>
    public static AuthFailure? From(AuthenticateResult result) => (result.Failure as AuthFailureException)?.Failure;

    /// <summary>The failed authentication result that carries this refusal: one per refusal, not one per request.</summary>
    internal AuthenticateResult Result => _result ??= AuthenticateResult.Fail(new AuthFailureException(this));

    /// <summary>
    /// <see cref="Body"/> as <see cref="TesseraJson"/> writes it (what <c>WriteAsJsonAsync</c> of it
    /// wrote), encoded once.
    /// </summary>
    internal ReadOnlyMemory<byte> Utf8Body => _utf8 ??= JsonSerializer.SerializeToUtf8Bytes(Body, TesseraJson.Options);

    /// <summary>What <c>with</c> copies: the values and the reason, not what was made of the original.</summary>
    private AuthFailure(AuthFailure original) => (Body, Status, Response, Reason) = (original.Body, original.Status, original.Response, original.Reason);

    public bool Equals(AuthFailure? other)
        => other is not null && Equals(Body, other.Body) && Status == other.Status && Equals(Response, other.Response);

    public override int GetHashCode() => HashCode.Combine(Body, Status, Response);
}

/// <summary>Carries an <see cref="AuthFailure"/> inside <see cref="AuthenticateResult.Fail(Exception)"/> (never thrown).</summary>
public sealed class AuthFailureException(AuthFailure failure) : Exception("Credentials refused.")
{
    public AuthFailure Failure { get; } = failure;
}
