using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Tessera.AspNetCore.Authentication;
using Tessera.AspNetCore.RealTime.Tickets;
using Tessera.AspNetCore.Sessions;
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
internal sealed class JwtCredentialScheme(IOptionsMonitor<JwtAuthenticationOptions> options, TokenValidator validator, ValidatedTokenCache validated, TimeProvider time,
    AdmissionGate gate, IOptionsMonitor<SessionAuthenticationOptions> csrf)
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
        var raw = ReadRawToken(context.Request, out var headerFailure, out var fromCookie);
        if (headerFailure is not null)
            return ValueTask.FromResult(ProofResult.Fail(headerFailure));
        if (raw is not { } token)
            return ValueTask.FromResult(ProofResult.NoCredentials);
        var proven = ProveToken(token);
        return ValueTask.FromResult(fromCookie ? FromCookie(context, proven) : proven);
    }

    private ProofResult ProveToken(ReadOnlyMemory<char> token)
    {
        var now = time.GetUtcNow();
        if (validated.Find(token.Span, now) is { } remembered)
            return ProofResult.Proven(remembered.Proof, remembered.Token);
        var result = validator.Validate(token, expected: null, now);
        if (result.IsValid && result.Token!.Kind is TokenKind.Access or TokenKind.Sliding)
            return Prove(result.Token, now);
        var refusal = result.IsValid
            ? NotValidForAnyClass(TokenValidationMessages.WrongType, RefusalReason.InvalidCredentials)
            : NotValidForAnyClass(result.Message, result.Error == TokenError.Expired ? RefusalReason.Expired
                : result.JwsError == JwsError.InvalidSignature ? RefusalReason.BadSignature : RefusalReason.InvalidCredentials);
        return ProofResult.Fail(refusal);
    }

    /// <summary>
    /// The access-token cookie: what a browser kept, and sends by itself. A token that no longer
    /// proves an admitted login (expired, forged, revoked) is no credential, as a cookie naming no live
    /// session is none: the browser is anonymous and can sign in again. One that does passes Django's
    /// CSRF check on unsafe methods, with the sessions' settings (<c>csrftoken</c>, <c>X-CSRFToken</c>,
    /// trusted origins), and is marked <see cref="AmbientCredential"/> for the Origin check of real-time endpoints.
    /// </summary>
    private ProofResult FromCookie(HttpContext context, ProofResult proven)
    {
        if (proven.Proof is not { } proof || !gate.Admit(proof).IsAdmitted)
            return ProofResult.NoCredentials;
        if (!Csrf.IsSafe(context.Request.Method) && Csrf.Check(context, csrf.Get(TesseraSchemes.Session)) is { } refused)
            return ProofResult.Fail(refused);
        context.Features.Set(AmbientCredential.Instance);
        return proven;
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

    /// <summary>
    /// The token: from the <c>Authorization</c> header, else <c>?access_token=</c> where the endpoint
    /// allows it, else the cookie (<paramref name="fromCookie"/>).
    /// </summary>
    private ReadOnlyMemory<char>? ReadRawToken(HttpRequest request, out AuthFailure? failure, out bool fromCookie)
    {
        failure = null;
        fromCookie = false;
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
        // What a page sent on purpose before what the browser sent by itself.
        if (QueryCredentials.AccessTokenOf(request) is { } query)
            return query.AsMemory(); // AllowAccessTokenInQuery's endpoints only
        if (o.AccessTokenCookieName is { } cookie && request.Cookies.TryGetValue(cookie, out var value) && value.Length > 0)
        {
            fromCookie = true;
            return value.AsMemory();
        }
        return null;
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
