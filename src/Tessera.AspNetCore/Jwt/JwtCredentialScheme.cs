using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Tessera.AspNetCore.Authentication;
using Tessera.AspNetCore.RealTime.Tickets;
using Tessera.Core.Admission;
using Tessera.Core.Jwt;

namespace Tessera.AspNetCore.Jwt;

/// <summary>
/// SimpleJWT's JWTAuthentication: <c>Authorization: Bearer &lt;access or sliding token&gt;</c> (or the
/// access-token cookie, when one is named), with its exact error bodies so that its clients keep working.
/// </summary>
/// <remarks>
/// A token that proved a login is remembered (<see cref="ValidatedTokenCache"/>): the next request
/// with it is checked for its expiry, and admitted by the gate, without validating it again.
/// </remarks>
internal sealed class JwtCredentialScheme(IOptionsMonitor<JwtAuthenticationOptions> options, TokenValidator validator, ValidatedTokenCache validated, TimeProvider time)
    : CredentialScheme<JwtAuthenticationOptions>(TesseraSchemes.Jwt, options)
{
    /// <summary>The token classes a request may authenticate with (SimpleJWT's AUTH_TOKEN_CLASSES), in its order.</summary>
    private static readonly (string TokenClass, TokenKind Kind)[] AcceptedClasses =
        [("AccessToken", TokenKind.Access), ("SlidingToken", TokenKind.Sliding)];

    private static readonly AuthFailure UserNotFound = AuthFailure.Detail("User not found", "user_not_found", RefusalReason.UserNotFound);

    /// <summary>
    /// "Not valid for any token class", per message: SimpleJWT's few fixed texts
    /// (<see cref="TokenValidationMessages"/>), so a forged token's refusal is made once, not per request.
    /// </summary>
    private static readonly ConcurrentDictionary<(string Message, RefusalReason Reason), AuthFailure> NotValid = new();

    public override bool CouldCarry(HttpRequest request)
    {
        var o = Options;
        return AuthorizationHeader.FirstWordIs(request, o.HeaderType, ignoreCase: false)
            || (o.AccessTokenCookieName is { } cookie && request.Headers.ContainsKey("Cookie") && request.Cookies.ContainsKey(cookie))
            || QueryCredentials.AccessTokenOf(request) is not null; // AllowAccessTokenInQuery's endpoints only
    }

    public override ValueTask<ProofResult> ProveAsync(HttpContext context)
    {
        var raw = ReadRawToken(context.Request, out var headerFailure);
        if (headerFailure is not null)
            return ValueTask.FromResult(ProofResult.Fail(headerFailure));
        if (raw is not { } token)
            return ValueTask.FromResult(ProofResult.NoCredentials);

        var now = time.GetUtcNow();
        if (validated.Find(token.Span, now) is { } remembered)
            return ValueTask.FromResult(ProofResult.Proven(remembered.Proof, remembered.Token));
        var result = validator.Validate(token, expected: null, now);
        if (result.IsValid && result.Token!.Kind is TokenKind.Access or TokenKind.Sliding)
            return ValueTask.FromResult(Prove(result.Token, now));
        var refusal = result.IsValid
            ? NotValidForAnyClass(TokenValidationMessages.WrongType, RefusalReason.InvalidCredentials)
            : NotValidForAnyClass(result.Message, result.Error == TokenError.Expired ? RefusalReason.Expired
                : result.JwsError == JwsError.InvalidSignature ? RefusalReason.BadSignature : RefusalReason.InvalidCredentials);
        return ValueTask.FromResult(ProofResult.Fail(refusal));
    }

    public override AuthFailure DescribeRejection(AdmissionRejection rejection) => rejection switch
    {
        AdmissionRejection.LoginRevoked => NotValidForAnyClass(TokenFailure.Blacklisted.Message, RefusalReason.LoginRevoked),
        AdmissionRejection.UserInactive => AuthFailure.Detail("User is inactive", "user_inactive", RefusalReason.UserInactive),
        _ => UserNotFound,
    };

    private ProofResult Prove(ValidatedToken token, DateTimeOffset now)
    {
        if (token.UserIdUnrepresentable)
            return ProofResult.Fail(UserNotFound); // no user can have that id
        if (token.UserId is null)
            return ProofResult.Fail(AuthFailure.Detail("Token contained no recognizable user identification", "token_not_valid", RefusalReason.InvalidCredentials));
        var proof = JwtLoginService.Proof(token, TesseraSchemes.Jwt)!;
        validated.Remember(token, proof, now);
        return ProofResult.Proven(proof, token);
    }

    private ReadOnlyMemory<char>? ReadRawToken(HttpRequest request, out AuthFailure? failure)
    {
        failure = null;
        var o = Options;
        if (AuthorizationHeader.TryGetSimpleCredential(request, o.HeaderType, out var simple))
            return simple; // the usual "Bearer <token>", read in place
        if (AuthorizationHeader.Split(request, o.HeaderType, ignoreCase: false) is { } parts)
        {
            // bytes.split(): any run of ASCII whitespace separates, so "Bearer a b" has three parts.
            if (parts.Count == 2)
                return parts[1].AsMemory();
            failure = AuthFailure.Detail("Authorization header must contain two space-delimited values", "bad_authorization_header", RefusalReason.MalformedCredentials);
            return null;
        }
        if (o.AccessTokenCookieName is { } cookie && request.Cookies.TryGetValue(cookie, out var value) && value.Length > 0)
            return value.AsMemory();
        return QueryCredentials.AccessTokenOf(request)?.AsMemory(); // AllowAccessTokenInQuery's endpoints only
    }

    /// <summary>The same words for every reason: the reason is the log's (an expired token and a forged one answer alike).</summary>
    private static AuthFailure NotValidForAnyClass(string message, RefusalReason reason) => NotValid.GetOrAdd((message, reason), NotValidForAnyClassOf);

    private static AuthFailure NotValidForAnyClassOf((string Message, RefusalReason Reason) key) => new(new
    {
        detail = "Given token not valid for any token type",
        code = "token_not_valid",
        messages = AcceptedClasses.Select(c => new
        {
            token_class = c.TokenClass,
            token_type = TokenKinds.WireName(c.Kind),
            message = key.Message,
        }).ToArray(),
    })
    { Reason = key.Reason };
}
