using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Tessera.Core.Credentials;
using Tessera.Core.ExternalLogin;
using Tessera.Core.Revocation;
using Tessera.Core.Users;
using Tessera.EntityFrameworkCore.ExternalLogin;

namespace Tessera.EntityFrameworkCore.Revocation;

/// <summary>
/// The user writes on the users, credentials and revocation tables: one database transaction per
/// unit of work, each write one statement. Persistence only: what a change writes is decided by
/// <see cref="AdmissionChanges"/>.
/// </summary>
internal sealed class EfUserChangeStore(TesseraDbContext db, TimeProvider time, Core.Audit.IRequestOrigin? origin = null) : IUserChangeStore
{
    public async Task<IUserChangeTransaction> BeginAsync(CancellationToken cancellationToken = default)
        => new Transaction(db, time, origin, await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false));

    private sealed class Transaction(TesseraDbContext db, TimeProvider time, Core.Audit.IRequestOrigin? origin, IDbContextTransaction transaction) : IUserChangeTransaction
    {
        public async Task<bool> AdvanceEpochAsync(long userId, long? expectedEpoch, long revokedBeforeMs, CancellationToken cancellationToken = default)
        {
            var rows = db.Users.Where(u => u.Id == userId);
            // The compare-and-swap: of concurrent changes from one reading, the first to commit moves the
            // epoch on (the row's lock orders them), and the others match no row.
            if (expectedEpoch is { } expected)
                rows = rows.Where(u => u.RevocationEpoch == expected);
            return await rows.ExecuteUpdateAsync(s => s
                .SetProperty(u => u.RevocationEpoch, u => u.RevocationEpoch + 1)
                .SetProperty(u => u.RevokedBefore, revokedBeforeMs), cancellationToken).ConfigureAwait(false) == 1;
        }

        public Task SetPasswordHashAsync(long userId, string passwordHash, CancellationToken cancellationToken = default)
            => db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s.SetProperty(u => u.PasswordHash, passwordHash), cancellationToken);

        public async Task<bool> SetFlagsAsync(long userId, UserFlags flags, CancellationToken cancellationToken = default)
        {
            var (active, staff, superuser) = (flags.IsActive, flags.IsStaff, flags.IsSuperuser);
            return await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s
                .SetProperty(u => u.IsActive, u => active ?? u.IsActive)
                .SetProperty(u => u.IsStaff, u => staff ?? u.IsStaff)
                .SetProperty(u => u.IsSuperuser, u => superuser ?? u.IsSuperuser), cancellationToken).ConfigureAwait(false) == 1;
        }

        public Task<bool> InsertUserAsync(User user, CancellationToken cancellationToken = default)
        {
            var username = user.Username;
            // Two registrations of one name can both get here; the unique index decides.
            return db.TryInsertAsync(user, () => db.Users.AnyAsync(u => u.Username == username, cancellationToken), cancellationToken);
        }

        public Task<bool> InsertExternalIdentityAsync(ExternalIdentity identity, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(identity);
            // Two first sign-ins of one provider account can both get here, each with a user of its own;
            // the (issuer, subject) index decides, and the loser's transaction (its user) is rolled back.
            return db.TryInsertAsync(identity, () => ExternalIdentityRows.TakenAsync(db, identity, cancellationToken), cancellationToken);
        }

        public async Task<bool> UpdateUserAsync(long userId, Func<User, Task<bool>> change, CancellationToken cancellationToken = default)
        {
            var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, cancellationToken).ConfigureAwait(false);
            if (user is null)
                return false;
            try
            {
                if (!await change(user).ConfigureAwait(false))
                    return false;
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                return true;
            }
            finally
            {
                db.Entry(user).State = EntityState.Detached;
            }
        }

        public async Task<bool> MarkEmailVerifiedAsync(long userId, string expectedEmail, CancellationToken cancellationToken = default)
            // The compare-and-swap: the first use of a token flips the flag; a second, or one made for an
            // email the user has since changed, matches no row. A proven address receives password resets.
            => await db.Users.Where(u => u.Id == userId && u.Email == expectedEmail && !u.EmailVerified)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(u => u.EmailVerified, true)
                    .SetProperty(u => u.EmailChangeUnverified, false), cancellationToken).ConfigureAwait(false) == 1;

        // The user's sessions, tokens, keys and external identities go with the row (foreign keys, cascade).
        public Task DeleteUserAsync(long userId, CancellationToken cancellationToken = default)
            => db.Users.Where(u => u.Id == userId).ExecuteDeleteAsync(cancellationToken);

        public Task<int> DeleteSessionsAsync(long userId, CancellationToken cancellationToken = default)
            => db.Sessions.Where(s => s.UserId == userId).ExecuteDeleteAsync(cancellationToken);

        public Task<int> DeleteOpaqueTokensAsync(long userId, CancellationToken cancellationToken = default)
            => db.OpaqueTokens.Where(t => t.UserId == userId).ExecuteDeleteAsync(cancellationToken);

        public async Task<IReadOnlyList<IStoredCredential>> DeleteApiKeysAsync(long userId, CancellationToken cancellationToken = default)
        {
            var keys = await db.ApiKeys.AsNoTracking().Where(k => k.UserId == userId).ToListAsync(cancellationToken).ConfigureAwait(false);
            var deleted = new List<IStoredCredential>(keys.Count);
            // One by one: a key is reported only when this delete took it (not a concurrent one), and a
            // key added after the read is neither deleted nor reported.
            foreach (var key in keys)
            {
                var hash = key.KeyHash;
                if (await db.ApiKeys.Where(k => k.KeyHash == hash).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false) == 1)
                    deleted.Add(key);
            }
            return deleted;
        }

        public Task<AdmissionChange> RevokeLoginAsync(LoginId login, long userId, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
            => db.RevokeLoginAsync(login, userId, expiresAt, time.GetUtcNow(), cancellationToken);

        public Task<AdmissionChange> AppendUserChangedAsync(long userId, CancellationToken cancellationToken = default)
            => db.AppendEventAsync(AdmissionChangeKind.UserChanged, userId, null, 0, time.GetUtcNow(), cancellationToken);

        public Task AppendAuditAsync(Core.Audit.AuditEvent e, CancellationToken cancellationToken = default)
            => Audit.EfAuditStore.AppendAsync(db, e, time.GetUtcNow(), origin, cancellationToken);

        public Task CommitAsync(CancellationToken cancellationToken = default) => transaction.CommitAsync(cancellationToken);

        public ValueTask DisposeAsync() => transaction.DisposeAsync();
    }
}
