namespace Tessera.Core.Revocation;

/// <summary>
/// The refresh-token ledger: which refresh (and sliding) tokens have been used up (rotated,
/// blacklisted, logged out) and when. Persistence only: it records facts and reports them ("denied
/// now", "denied already, at T"); <see cref="AdmissionChanges"/> decides what they mean (a race
/// within the reuse grace, or reuse to revoke). A decision and its writes are one transaction
/// (<see cref="BeginAsync"/>), so no crash and no race leaves half of it.
/// </summary>
public interface IRefreshTokenLedger
{
    /// <summary>A transaction over the ledger and the revocations; rolled back unless committed.</summary>
    Task<IRefreshTokenLedgerTransaction> BeginAsync(CancellationToken cancellationToken = default);
}

/// <summary>One unit of work on the ledger: record, read, revoke the login, commit together.</summary>
public interface IRefreshTokenLedgerTransaction : IAsyncDisposable
{
    /// <summary>
    /// Records the token as used up at <see cref="RefreshRotation.Now"/>, unless it is already: of
    /// concurrent callers exactly one is <see cref="TokenDenial.First"/> (decided by the store, e.g.
    /// by a primary key). The others learn when it was denied, if the row is still there.
    /// </summary>
    Task<TokenDenial> DenyAsync(RefreshRotation token, CancellationToken cancellationToken = default);

    /// <summary>Revokes the login until <paramref name="expiresAt"/> (a second revocation keeps the later expiry) and appends its change.</summary>
    Task<AdmissionChange> RevokeLoginAsync(LoginId login, long userId, DateTimeOffset expiresAt, CancellationToken cancellationToken = default);

    /// <summary>Appends an audit event, committed or rolled back with the rest; by default, nothing (a store without an audit trail).</summary>
    Task AppendAuditAsync(Audit.AuditEvent e, CancellationToken cancellationToken = default) => Task.CompletedTask;

    Task CommitAsync(CancellationToken cancellationToken = default);
}

/// <param name="First">This caller denied the token.</param>
/// <param name="DeniedAtMs">
/// When someone else denied it, in unix milliseconds; null when this caller did, or when the row has
/// gone (the sweeper deletes it once the token has expired).
/// </param>
public sealed record TokenDenial(bool First, long? DeniedAtMs)
{
    public static readonly TokenDenial Inserted = new(true, null);
}

/// <summary>A refresh token being rotated or blacklisted, and what revoking its login takes.</summary>
/// <param name="Jti">The token's <c>jti</c>, the blacklist's key.</param>
/// <param name="TokenExpiresAt">The token's <c>exp</c>: the blacklist row is kept until then.</param>
/// <param name="Login">Its login, when it names one (Tessera's tokens do, foreign ones do not).</param>
/// <param name="LoginExpiresAt">How long a revocation of that login must last: past every token it may have minted.</param>
/// <param name="Now">The time of the rotation, recorded to the millisecond for the reuse grace.</param>
/// <param name="ReuseGrace">How long after a rotation a second presentation is still a race, not theft.</param>
public sealed record RefreshRotation(
    string Jti,
    long? UserId,
    DateTimeOffset TokenExpiresAt,
    LoginId? Login,
    DateTimeOffset LoginExpiresAt,
    DateTimeOffset Now,
    TimeSpan ReuseGrace = default);

public enum RotationOutcome
{
    /// <summary>This caller rotated the token first: it gets the new pair.</summary>
    Rotated,

    /// <summary>Rotated by someone else less than the reuse grace ago (two tabs): refused, nothing else happens.</summary>
    ReusedWithinGrace,

    /// <summary>Rotated longer ago: reuse detection, the token's login was revoked in the same transaction.</summary>
    Reused,
}
