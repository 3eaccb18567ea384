using Microsoft.EntityFrameworkCore;
using Tessera.Core.Credentials;
using Tessera.Core.Revocation;

namespace Tessera.EntityFrameworkCore.Revocation;

/// <summary>
/// The writes of the revocation model, inside the caller's transaction, so that a change and its
/// event commit together: the user-change store's and the ledger's, and the credential stores' deletes (a deleted
/// session, DRF token or API key revokes its login, so instances that remember it refuse it).
/// </summary>
internal static class RevocationWrites
{
    /// <summary>Revokes the login until <paramref name="expiresAt"/> and appends its event.</summary>
    public static async Task<AdmissionChange> RevokeLoginAsync(this TesseraDbContext db, LoginId login, long userId, DateTimeOffset expiresAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var id = login.ToString();
        var expires = expiresAt.ToUnixTimeSeconds();
        var row = new RevokedLogin { LoginId = id, UserId = userId, ExpiresAt = expires, RevokedAt = now.ToUnixTimeSeconds() };
        // Revoking twice (a replay race, a logout after reuse) keeps one row with the later expiry.
        if (!await db.TryInsertAsync(row, () => db.RevokedLogins.AnyAsync(l => l.LoginId == id, cancellationToken), cancellationToken).ConfigureAwait(false))
            await db.RevokedLogins.Where(l => l.LoginId == id && l.ExpiresAt < expires)
                .ExecuteUpdateAsync(s => s.SetProperty(l => l.ExpiresAt, expires), cancellationToken).ConfigureAwait(false);
        return await db.AppendEventAsync(AdmissionChangeKind.LoginRevoked, userId, id, expires, now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes the credentials <paramref name="rows"/> selects and revokes their logins, one
    /// transaction; the committed events, none when nothing matched.
    /// </summary>
    public static async Task<IReadOnlyList<AdmissionChange>> DeleteCredentialsAsync<T>(this TesseraDbContext db, IQueryable<T> rows, DateTimeOffset now, CancellationToken cancellationToken)
        where T : class, IStoredCredential
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var events = await db.DeleteCredentialsInTransactionAsync(rows, now, cancellationToken).ConfigureAwait(false);
        if (events.Count > 0)
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return events;
    }

    /// <summary><see cref="DeleteCredentialsAsync"/> inside the caller's transaction.</summary>
    public static async Task<IReadOnlyList<AdmissionChange>> DeleteCredentialsInTransactionAsync<T>(this TesseraDbContext db, IQueryable<T> rows, DateTimeOffset now, CancellationToken cancellationToken)
        where T : class, IStoredCredential
    {
        var doomed = await rows.AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
        var events = new List<AdmissionChange>(doomed.Count);
        foreach (var credential in doomed)
        {
            var hash = credential.KeyHash;
            await db.Set<T>().Where(c => c.KeyHash == hash).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            events.Add(await db.RevokeLoginAsync(credential.Login(), credential.UserId, credential.RevokedUntil(now), now, cancellationToken).ConfigureAwait(false));
        }
        return events;
    }

    public static async Task<AdmissionChange> AppendEventAsync(this TesseraDbContext db, AdmissionChangeKind kind, long userId, string? loginId, long expiresAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var record = new RevocationEventRecord
        {
            Kind = kind,
            UserId = userId,
            LoginId = loginId,
            ExpiresAt = expiresAt,
            CreatedAt = now.ToUnixTimeSeconds(),
            // The whole second would blur a propagation of a few milliseconds.
            CommittedAtMs = now.ToUnixTimeMilliseconds(),
        };
        await db.InsertAsync(record, cancellationToken).ConfigureAwait(false);
        return record.ToEvent();
    }
}
