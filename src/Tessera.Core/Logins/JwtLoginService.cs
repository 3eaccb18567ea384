using Tessera.Core.Admission;
using Tessera.Core.Revocation;
using Tessera.Core.Tokens;
using Tessera.Core.Users;

namespace Tessera.Core.Logins;

/// <summary>
/// The JWT logins of SimpleJWT's views: a pair or a sliding token for a signed-in user, refresh with
/// rotation and blacklisting, blacklist, verify, sliding refresh — and what SimpleJWT lacks: every
/// login is a family (its id rides in every token minted from it), blacklisting revokes the family,
/// and a rotated refresh token presented again is taken for theft and revokes it too.
/// </summary>
public sealed class JwtLoginService(
    JwtOptions options,
    TokenIssuer issuer,
    TokenValidator validator,
    ITokenBlacklist blacklist,
    AdmissionGate gate,
    Revocations revocations,
    TimeProvider time,
    ILoginEvents events)
{
    /// <summary>A new login: its id is created now, or at <paramref name="notBeforeMs"/> if later (password change).</summary>
    public TokenPair IssuePair(UserSnapshot user, long? notBeforeMs = null) => issuer.IssuePair(Subject(user, notBeforeMs));

    public IssuedToken IssueSliding(UserSnapshot user) => issuer.IssueSliding(Subject(user, null));

    /// <summary>
    /// A new access token (and, with rotation, a new refresh token) for a refresh token. With
    /// blacklisting after rotation the used token is denied first, by one atomic insert: of several
    /// concurrent refreshes of one token exactly one gets a pair, and the others are reuse.
    /// </summary>
    public async Task<TokenOutcome<RefreshedTokens>> RefreshAsync(string refreshToken, CancellationToken cancellationToken = default)
    {
        var validation = validator.Validate(refreshToken, TokenKind.Refresh, time.GetUtcNow());
        if (!validation.IsValid)
            return TokenFailure.NotValid(validation.Message);
        var token = validation.Token!;
        if (Admit(token) is { } refused)
            return refused;

        if (options.RotateRefreshTokens && options.BlacklistAfterRotation)
        {
            if (!await blacklist.TryAddAsync(token.Jti!, token.UserId, token.ExpiresAt, cancellationToken).ConfigureAwait(false))
            {
                await RevokeFamilyAsync(token, cancellationToken).ConfigureAwait(false);
                events.RefreshTokenReused(token.UserId, token.LoginId);
                return TokenFailure.Blacklisted;
            }
        }
        else if (await blacklist.ContainsAsync(token.Jti!, cancellationToken).ConfigureAwait(false))
        {
            return TokenFailure.Blacklisted;
        }

        var access = issuer.IssueAccessFrom(token);
        var rotated = options.RotateRefreshTokens ? issuer.Rotate(token) : null;
        return TokenOutcome<RefreshedTokens>.Ok(new RefreshedTokens(access, rotated));
    }

    /// <summary>
    /// Denies a refresh token for the rest of its life and revokes its whole login, access tokens
    /// included; a second blacklisting is refused like SimpleJWT's.
    /// </summary>
    public async Task<TokenOutcome<ValidatedToken>> BlacklistAsync(string refreshToken, CancellationToken cancellationToken = default)
    {
        var validation = validator.Validate(refreshToken, TokenKind.Refresh, time.GetUtcNow());
        if (!validation.IsValid)
            return TokenFailure.NotValid(validation.Message);
        var token = validation.Token!;
        var first = await blacklist.TryAddAsync(token.Jti!, token.UserId, token.ExpiresAt, cancellationToken).ConfigureAwait(false);
        await RevokeFamilyAsync(token, cancellationToken).ConfigureAwait(false);
        return first ? TokenOutcome<ValidatedToken>.Ok(token) : TokenFailure.Blacklisted;
    }

    /// <summary>Any kind of our tokens, signed, unexpired, not blacklisted, its login not revoked.</summary>
    public async Task<TokenOutcome<ValidatedToken>> VerifyAsync(string token, CancellationToken cancellationToken = default)
    {
        var validation = validator.Validate(token, expected: null, time.GetUtcNow());
        if (!validation.IsValid)
            return TokenFailure.NotValid(validation.Message);
        var valid = validation.Token!;
        if (valid.Jti is { } jti && await blacklist.ContainsAsync(jti, cancellationToken).ConfigureAwait(false))
            return TokenFailure.Blacklisted;
        if (Proof(valid) is { } proof && gate.Admit(proof).Rejection == AdmissionRejection.LoginRevoked)
            return TokenFailure.Blacklisted;
        return TokenOutcome<ValidatedToken>.Ok(valid);
    }

    /// <summary>
    /// A sliding token with a new <c>exp</c>: allowed while its <c>refresh_exp</c> has not passed, even
    /// when <c>exp</c> has (that is what sliding means), for an admitted login, if not blacklisted.
    /// </summary>
    public async Task<TokenOutcome<IssuedToken>> SlideAsync(string slidingToken, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var validation = validator.ValidateIgnoringExpiry(slidingToken, TokenKind.Sliding, now);
        if (!validation.IsValid)
            return TokenFailure.NotValid(validation.Message);
        var token = validation.Token!;
        if (validator.IsRefreshExpired(token, now))
            return TokenFailure.NotValid("Token 'refresh_exp' claim has expired");
        if (await blacklist.ContainsAsync(token.Jti!, cancellationToken).ConfigureAwait(false))
            return TokenFailure.Blacklisted;
        if (Admit(token) is { } refused)
            return refused;
        return TokenOutcome<IssuedToken>.Ok(issuer.Slide(token));
    }

    /// <summary>The proof a token gives the gate: its user, its login (our tokens) and when that login was made.</summary>
    public static LoginProof? Proof(ValidatedToken token, string scheme = "jwt")
    {
        if (token.UserId is not { } userId || token.UserIdUnrepresentable)
            return null;
        // Our tokens name their login, which carries its creation time to the millisecond; a
        // foreign token has only iat (seconds), so it counts from the start of that second.
        if (LoginId.TryParse(token.LoginId, out var login))
            return new LoginProof(userId, scheme, token.ExpiresAt, login, login.CreatedAtMs);
        return new LoginProof(userId, scheme, token.ExpiresAt, null, (token.Iat ?? 0) * 1000);
    }

    private TokenFailure? Admit(ValidatedToken token)
    {
        if (token.UserId is null && !token.UserIdUnrepresentable)
            return TokenFailure.NoUser;
        var proof = Proof(token);
        if (proof is null)
            return TokenFailure.InactiveAccount;
        return gate.Admit(proof).Rejection switch
        {
            AdmissionRejection.None => null,
            AdmissionRejection.LoginRevoked => TokenFailure.Blacklisted,
            _ => TokenFailure.InactiveAccount,
        };
    }

    private async Task RevokeFamilyAsync(ValidatedToken token, CancellationToken cancellationToken)
    {
        if (!LoginId.TryParse(token.LoginId, out var login) || token.UserId is not { } userId)
            return; // a foreign token names no login: only the token itself is denied
        var expires = time.GetUtcNow() + options.LongestTokenLifetime;
        await revocations.RevokeLoginAsync(login, userId, expires, cancellationToken).ConfigureAwait(false);
    }

    private TokenSubject Subject(UserSnapshot user, long? notBeforeMs)
    {
        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        var login = LoginId.New(Math.Max(nowMs, notBeforeMs ?? 0));
        return new TokenSubject(user.Id, user.Username, user.Email, login.ToString());
    }
}

/// <summary>A refresh's result: the new access token and, with rotation on, the new refresh token.</summary>
public sealed record RefreshedTokens(IssuedToken Access, IssuedToken? Refresh);

/// <summary>Security events worth a log line (the web layer logs them).</summary>
public interface ILoginEvents
{
    /// <summary>A rotated refresh token came back: treated as stolen, its login was revoked.</summary>
    void RefreshTokenReused(long? userId, string? loginId);
}
