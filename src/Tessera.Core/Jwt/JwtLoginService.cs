using Tessera.Core.Admission;
using Tessera.Core.Revocation;
using Tessera.Core.Jwt;
using Tessera.Core.Logins;
using Tessera.Core.Users;

namespace Tessera.Core.Jwt;

/// <summary>
/// The JWT logins of SimpleJWT's views: a pair or a sliding token for a signed-in user, refresh with
/// rotation and blacklisting, blacklist, verify, sliding refresh — and what SimpleJWT lacks: every
/// login is a family (its id rides in every token minted from it), blacklisting revokes the family,
/// and a rotated refresh token presented again after the reuse grace is taken for theft and
/// revokes it too. Every decision on a token's login goes through the one <see cref="AdmissionGate"/>.
/// </summary>
public sealed class JwtLoginService(
    JwtOptions options,
    TokenIssuer issuer,
    TokenValidator validator,
    ITokenBlacklist blacklist,
    AdmissionGate gate,
    AdmissionChanges changes,
    TimeProvider time,
    ILoginEvents events,
    LoginRecords? logins)
{
    /// <summary>Without records of logins (an app without a login store).</summary>
    public JwtLoginService(JwtOptions options, TokenIssuer issuer, TokenValidator validator, ITokenBlacklist blacklist, AdmissionGate gate,
        AdmissionChanges changes, TimeProvider time, ILoginEvents events)
        : this(options, issuer, validator, blacklist, gate, changes, time, events, null)
    {
    }

    /// <summary>
    /// A new login for <paramref name="user"/> as its password check read it (or as a password change
    /// left it): the user's revocation epoch rides in every token of the login, and so do the custom
    /// claims of the token-issuing event.
    /// </summary>
    public async Task<TokenPair> IssuePairAsync(UserSnapshot user, User? account = null, CancellationToken cancellationToken = default)
        => issuer.IssuePair(await SubjectAsync(user, account, sliding: false, cancellationToken).ConfigureAwait(false));

    public async Task<IssuedToken> IssueSlidingAsync(UserSnapshot user, User? account = null, CancellationToken cancellationToken = default)
        => issuer.IssueSliding(await SubjectAsync(user, account, sliding: true, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// A new access token (and, with rotation, a new refresh token) for a refresh token. With
    /// blacklisting after rotation the used token is denied first, by one atomic insert: of several
    /// concurrent refreshes of one token exactly one gets a pair; the others are refused, and revoke
    /// the login only when they come later than the reuse grace.
    /// </summary>
    public async Task<TokenOutcome<RefreshedTokens>> RefreshAsync(string refreshToken, CancellationToken cancellationToken = default)
    {
        var validation = validator.Validate(refreshToken, TokenKind.Refresh, time.GetUtcNow());
        if (!validation.IsValid)
            return TokenFailure.NotValid(validation.Message);
        var token = validation.Token!;
        if (await AdmitForRefreshAsync(token, cancellationToken).ConfigureAwait(false) is { } refused)
            return refused;

        // Rotation gives the login a refresh token that outlives the first: its record's end moves
        // with it, before the rotation commits, so a failure here leaves the presented token usable.
        if (options.RotateRefreshTokens && logins is not null && token.Login is { } login)
            await logins.ExtendAsync(login, time.GetUtcNow() + options.RefreshTokenLifetime, cancellationToken).ConfigureAwait(false);

        if (options.RotateRefreshTokens && options.BlacklistAfterRotation)
        {
            switch (await changes.RotateRefreshTokenAsync(Rotation(token), cancellationToken).ConfigureAwait(false))
            {
                case RotationOutcome.ReusedWithinGrace or RotationOutcome.Reused:
                    return TokenFailure.Blacklisted; // a reuse revoked the login, and told the app
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
    /// included, in one transaction; a second blacklisting is refused like SimpleJWT's.
    /// </summary>
    public async Task<TokenOutcome<ValidatedToken>> BlacklistAsync(string refreshToken, CancellationToken cancellationToken = default)
    {
        var validation = validator.Validate(refreshToken, TokenKind.Refresh, time.GetUtcNow());
        if (!validation.IsValid)
            return TokenFailure.NotValid(validation.Message);
        var token = validation.Token!;
        var first = await changes.BlacklistRefreshTokenAsync(Rotation(token), cancellationToken).ConfigureAwait(false);
        if (!first)
            return TokenFailure.Blacklisted;
        return TokenOutcome<ValidatedToken>.Ok(token);
    }

    /// <summary>
    /// The one answer to "is this token valid" for the views that ask it (SimpleJWT's verify, the
    /// seed's verify-token): signed, unexpired, of <paramref name="expected"/> kind (null: any of
    /// ours), not blacklisted, and admitted by the gate exactly as a request with it would be.
    /// </summary>
    public async Task<TokenOutcome<ValidatedToken>> VerifyAsync(string token, TokenKind? expected = null, CancellationToken cancellationToken = default)
    {
        var validation = validator.Validate(token, expected, time.GetUtcNow());
        if (!validation.IsValid)
            return TokenFailure.NotValid(validation.Message);
        var valid = validation.Token!;
        if (valid.Jti is { } jti && await blacklist.ContainsAsync(jti, cancellationToken).ConfigureAwait(false))
            return TokenFailure.Blacklisted;
        if (valid.UserIdUnrepresentable)
            return TokenFailure.UserNotFound;
        if (Proof(valid) is not { } proof)
            return TokenFailure.NoUser;
        var admission = await gate.AdmitAsync(proof, cancellationToken: cancellationToken).ConfigureAwait(false);
        return admission.Rejection switch
        {
            AdmissionRejection.None => TokenOutcome<ValidatedToken>.Ok(valid),
            AdmissionRejection.LoginRevoked => TokenFailure.Blacklisted,
            AdmissionRejection.RefusedByRule => TokenFailure.NotValid(admission.Detail!),
            AdmissionRejection.UserInactive => TokenFailure.UserInactive,
            _ => TokenFailure.UserNotFound,
        };
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
        if (await AdmitForRefreshAsync(token, cancellationToken).ConfigureAwait(false) is { } refused)
            return refused;
        return TokenOutcome<IssuedToken>.Ok(issuer.Slide(token));
    }

    /// <summary>
    /// The proof a token gives the gate: its user, its login (our tokens), the revocation epoch its
    /// login was checked against (our tokens), and when that login was made.
    /// </summary>
    public static CredentialProof? Proof(ValidatedToken token, string scheme = "jwt")
    {
        if (token.UserId is not { } userId || token.UserIdUnrepresentable)
            return null;
        // Our tokens name their login, which carries its creation time to the millisecond; a
        // foreign token has only iat (seconds), so it counts from the start of that second.
        if (token.Login is { } login)
            return new CredentialProof(userId, scheme, token.ExpiresAt, login, login.CreatedAtMs, token.Epoch) { SigningKeyId = token.VerifiedBy?.KeyId };
        return new CredentialProof(userId, scheme, token.ExpiresAt, null, (token.Iat ?? 0) * 1000, token.Epoch) { SigningKeyId = token.VerifiedBy?.KeyId };
    }

    /// <summary>The gate, in SimpleJWT ≥ 5.3's words for refreshing a token whose user is gone or inactive.</summary>
    private async Task<TokenFailure?> AdmitForRefreshAsync(ValidatedToken token, CancellationToken cancellationToken)
    {
        if (token.UserId is null && !token.UserIdUnrepresentable)
            return TokenFailure.NoUser;
        if (Proof(token) is not { } proof)
            return TokenFailure.InactiveAccount;
        var admission = await gate.AdmitAsync(proof, cancellationToken: cancellationToken).ConfigureAwait(false);
        return admission.Rejection switch
        {
            AdmissionRejection.None => null,
            AdmissionRejection.LoginRevoked => TokenFailure.Blacklisted,
            AdmissionRejection.RefusedByRule => TokenFailure.NotValid(admission.Detail!),
            _ => TokenFailure.InactiveAccount,
        };
    }

    private RefreshRotation Rotation(ValidatedToken token)
    {
        var now = time.GetUtcNow();
        return new RefreshRotation(
            token.Jti!,
            token.UserId,
            token.ExpiresAt,
            token.Login,
            now + options.LongestTokenLifetime,
            now,
            options.RefreshReuseGrace);
    }

    private async Task<TokenSubject> SubjectAsync(UserSnapshot user, User? account, bool sliding, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var login = LoginId.New(now.ToUnixTimeMilliseconds());
        var issuing = new TokenIssuingContext(user, sliding, account) { LoginId = login.ToString() };
        await events.TokenIssuingAsync(issuing, cancellationToken).ConfigureAwait(false);
        if (logins is not null)
            await logins.RecordAsync(user.Id, LoginKinds.Jwt, login, now + (sliding ? options.SlidingTokenRefreshLifetime : options.RefreshTokenLifetime),
                user.RevocationEpoch, credential: null, cancellationToken).ConfigureAwait(false);
        return new TokenSubject(user.Id, [.. issuing.Claims], login.ToString(), user.RevocationEpoch);
    }
}

/// <summary>A refresh's result: the new access token and, with rotation on, the new refresh token.</summary>
public sealed record RefreshedTokens(IssuedToken Access, IssuedToken? Refresh);
