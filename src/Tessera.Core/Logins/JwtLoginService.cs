using Tessera.Core.Revocation;
using Tessera.Core.Tokens;
using Tessera.Core.Users;

namespace Tessera.Core.Logins;

/// <summary>
/// The JWT logins of SimpleJWT's views: a pair or a sliding token for a signed-in user, refresh with
/// rotation and blacklisting, blacklist, verify, sliding refresh.
/// </summary>
public sealed class JwtLoginService(
    JwtOptions options,
    TokenIssuer issuer,
    TokenValidator validator,
    ITokenBlacklist blacklist,
    IUserDirectory users,
    TimeProvider time)
{
    public TokenPair IssuePair(UserSnapshot user) => issuer.IssuePair(Subject(user));

    public IssuedToken IssueSliding(UserSnapshot user) => issuer.IssueSliding(Subject(user));

    /// <summary>
    /// A new access token (and, with rotation, a new refresh token) for a refresh token. With
    /// blacklisting after rotation the used token is denied first, by one atomic insert: of several
    /// concurrent refreshes of one token exactly one gets a pair.
    /// </summary>
    public async Task<TokenOutcome<RefreshedTokens>> RefreshAsync(string refreshToken, CancellationToken cancellationToken = default)
    {
        var validation = validator.Validate(refreshToken, TokenKind.Refresh, time.GetUtcNow());
        if (!validation.IsValid)
            return TokenFailure.NotValid(validation.Message);
        var token = validation.Token!;
        if (await CheckUserAsync(token, cancellationToken).ConfigureAwait(false) is { } refused)
            return refused;

        if (options.RotateRefreshTokens && options.BlacklistAfterRotation)
        {
            if (!await blacklist.TryAddAsync(token.Jti!, token.UserId, token.ExpiresAt, cancellationToken).ConfigureAwait(false))
                return TokenFailure.Blacklisted;
        }
        else if (await blacklist.ContainsAsync(token.Jti!, cancellationToken).ConfigureAwait(false))
        {
            return TokenFailure.Blacklisted;
        }

        var access = issuer.IssueAccessFrom(token);
        var rotated = options.RotateRefreshTokens ? issuer.Rotate(token) : null;
        return TokenOutcome<RefreshedTokens>.Ok(new RefreshedTokens(access, rotated));
    }

    /// <summary>Denies a refresh token for the rest of its life; a second blacklisting is refused like SimpleJWT's.</summary>
    public async Task<TokenOutcome<ValidatedToken>> BlacklistAsync(string refreshToken, CancellationToken cancellationToken = default)
    {
        var validation = validator.Validate(refreshToken, TokenKind.Refresh, time.GetUtcNow());
        if (!validation.IsValid)
            return TokenFailure.NotValid(validation.Message);
        var token = validation.Token!;
        if (!await blacklist.TryAddAsync(token.Jti!, token.UserId, token.ExpiresAt, cancellationToken).ConfigureAwait(false))
            return TokenFailure.Blacklisted;
        return TokenOutcome<ValidatedToken>.Ok(token);
    }

    /// <summary>Any kind of our tokens, signed, unexpired, not blacklisted.</summary>
    public async Task<TokenOutcome<ValidatedToken>> VerifyAsync(string token, CancellationToken cancellationToken = default)
    {
        var validation = validator.Validate(token, expected: null, time.GetUtcNow());
        if (!validation.IsValid)
            return TokenFailure.NotValid(validation.Message);
        var valid = validation.Token!;
        if (valid.Jti is { } jti && await blacklist.ContainsAsync(jti, cancellationToken).ConfigureAwait(false))
            return TokenFailure.Blacklisted;
        return TokenOutcome<ValidatedToken>.Ok(valid);
    }

    /// <summary>
    /// A sliding token with a new <c>exp</c>: allowed while its <c>refresh_exp</c> has not passed, even
    /// when <c>exp</c> has (that is what sliding means), for an active user, if not blacklisted.
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
        if (await CheckUserAsync(token, cancellationToken).ConfigureAwait(false) is { } refused)
            return refused;
        return TokenOutcome<IssuedToken>.Ok(issuer.Slide(token));
    }

    private async Task<TokenFailure?> CheckUserAsync(ValidatedToken token, CancellationToken cancellationToken)
    {
        if (token.UserIdUnrepresentable)
            return TokenFailure.InactiveAccount;
        if (token.UserId is not { } userId)
            return TokenFailure.NoUser;
        var user = await users.FindAsync(userId, cancellationToken).ConfigureAwait(false);
        return user is { IsActive: true } ? null : TokenFailure.InactiveAccount;
    }

    private static TokenSubject Subject(UserSnapshot user) => new(user.Id, user.Username, user.Email);
}

/// <summary>A refresh's result: the new access token and, with rotation on, the new refresh token.</summary>
public sealed record RefreshedTokens(IssuedToken Access, IssuedToken? Refresh);
