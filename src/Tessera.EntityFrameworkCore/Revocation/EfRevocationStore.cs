using Microsoft.EntityFrameworkCore;
using Tessera.Core.Revocation;
using Tessera.Core.Users;

namespace Tessera.EntityFrameworkCore.Revocation;

public sealed class EfRevocationStore(TesseraDbContext db, TimeProvider time) : IRevocationStore
{
    public async Task<AdmissionChange> RevokeAllAsync(long userId, long revokedBeforeMs, CancellationToken cancellationToken = default)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s
            .SetProperty(u => u.RevocationEpoch, u => u.RevocationEpoch + 1)
            .SetProperty(u => u.RevokedBefore, revokedBeforeMs), cancellationToken).ConfigureAwait(false);
        var e = await EndLoginsAsync(userId, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return e;
    }

    public async Task<AdmissionChange?> ChangePasswordAsync(long userId, long expectedEpoch, string newPasswordHash, long revokedBeforeMs, CancellationToken cancellationToken = default)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // The compare-and-swap: of concurrent changes from one old password, the first to commit
        // moves the epoch on, and the others match no row.
        var changed = await db.Users.Where(u => u.Id == userId && u.RevocationEpoch == expectedEpoch).ExecuteUpdateAsync(s => s
            .SetProperty(u => u.PasswordHash, newPasswordHash)
            .SetProperty(u => u.RevocationEpoch, expectedEpoch + 1)
            .SetProperty(u => u.RevokedBefore, revokedBeforeMs), cancellationToken).ConfigureAwait(false);
        if (changed != 1)
            return null;
        var e = await EndLoginsAsync(userId, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return e;
    }

    public async Task<AdmissionChange?> CreateUserAsync(User user, CancellationToken cancellationToken = default)
    {
        user.Username = UserNormalization.Username(user.Username);
        user.Email = UserNormalization.Email(user.Email);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var username = user.Username;
        // Two registrations of one name can both get here; the unique index decides.
        if (!await db.TryInsertAsync(user, () => db.Users.AnyAsync(u => u.Username == username, cancellationToken), cancellationToken).ConfigureAwait(false))
            return null;
        var created = await AppendAsync(AdmissionChangeKind.UserChanged, user.Id, null, 0, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return created;
    }

    public async Task<IReadOnlyList<AdmissionChange>> SetUserFlagsAsync(long userId, UserFlags flags, long revokedBeforeMs, CancellationToken cancellationToken = default)
    {
        var (active, staff, superuser) = (flags.IsActive, flags.IsStaff, flags.IsSuperuser);
        var deactivating = active == false;
        var epochStep = deactivating ? 1 : 0;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var changed = await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s
            .SetProperty(u => u.IsActive, u => active ?? u.IsActive)
            .SetProperty(u => u.IsStaff, u => staff ?? u.IsStaff)
            .SetProperty(u => u.IsSuperuser, u => superuser ?? u.IsSuperuser)
            .SetProperty(u => u.RevocationEpoch, u => u.RevocationEpoch + epochStep)
            .SetProperty(u => u.RevokedBefore, u => deactivating ? revokedBeforeMs : u.RevokedBefore), cancellationToken).ConfigureAwait(false);
        if (changed != 1)
            return [];
        var events = deactivating
            ? new List<AdmissionChange>(await db.DeleteCredentialsInTransactionAsync(db.ApiKeys.Where(k => k.UserId == userId), time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
            : [];
        events.Add(await AppendAsync(AdmissionChangeKind.UserChanged, userId, null, 0, cancellationToken).ConfigureAwait(false));
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return events;
    }

    public async Task<AdmissionChange?> UpdateUserAsync(long userId, Func<User, Task<bool>> change, CancellationToken cancellationToken = default)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, cancellationToken).ConfigureAwait(false);
        if (user is null)
            return null;
        try
        {
            if (!await change(user).ConfigureAwait(false))
                return null;
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            db.Entry(user).State = EntityState.Detached;
        }
        var e = await AppendAsync(AdmissionChangeKind.UserChanged, userId, null, 0, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return e;
    }

    public async Task<AdmissionChange?> MarkEmailVerifiedAsync(long userId, string expectedEmail, CancellationToken cancellationToken = default)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // The compare-and-swap: the first use of a token flips the flag; a second, or one made for an
        // email the user has since changed, matches no row. A proven address receives password resets
        // (User.EmailChangeUnverified cleared).
        var changed = await db.Users.Where(u => u.Id == userId && u.Email == expectedEmail && !u.EmailVerified)
            .ExecuteUpdateAsync(s => s
                .SetProperty(u => u.EmailVerified, true)
                .SetProperty(u => u.EmailChangeUnverified, false), cancellationToken).ConfigureAwait(false);
        if (changed != 1)
            return null;
        var e = await AppendAsync(AdmissionChangeKind.UserChanged, userId, null, 0, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return e;
    }

    public async Task<AdmissionChange> DeleteUserAsync(long userId, CancellationToken cancellationToken = default)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await db.Users.Where(u => u.Id == userId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        var e = await AppendAsync(AdmissionChangeKind.UserChanged, userId, null, 0, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return e;
    }

    public Task<AdmissionChange> UserChangedAsync(long userId, CancellationToken cancellationToken = default)
        => AppendAsync(AdmissionChangeKind.UserChanged, userId, null, 0, cancellationToken);

    /// <summary>After the epoch moved on: the user's sessions and DRF tokens go, and every instance reloads the user.</summary>
    private async Task<AdmissionChange> EndLoginsAsync(long userId, CancellationToken cancellationToken)
    {
        await db.Sessions.Where(s => s.UserId == userId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        await db.OpaqueTokens.Where(t => t.UserId == userId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        return await AppendAsync(AdmissionChangeKind.UserChanged, userId, null, 0, cancellationToken).ConfigureAwait(false);
    }

    private Task<AdmissionChange> AppendAsync(AdmissionChangeKind kind, long userId, string? loginId, long expiresAt, CancellationToken cancellationToken)
        => db.AppendEventAsync(kind, userId, loginId, expiresAt, time.GetUtcNow(), cancellationToken);
}

/// <summary>Revoked-login rows die with the last token of their login.</summary>
public sealed class EfRevokedLoginRecords(TesseraDbContext db) : IExpiringRecords
{
    public string Description => "expired login revocations";

    public Task<int> RemoveExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var cutoff = now.ToUnixTimeSeconds();
        return db.RevokedLogins.Where(l => l.ExpiresAt < cutoff).ExecuteDeleteAsync(cancellationToken);
    }
}

/// <summary>
/// Feed events are kept a day: every running instance has read them long before; one that could not
/// read the feed for half that long reloads everything instead (see RevocationSynchronizer).
/// </summary>
public sealed class EfRevocationEventRecords(TesseraDbContext db) : IExpiringRecords
{
    public static readonly TimeSpan Retention = TimeSpan.FromDays(1);

    public string Description => "old revocation events";

    public Task<int> RemoveExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var cutoff = (now - Retention).ToUnixTimeSeconds();
        return db.RevocationEvents.Where(e => e.CreatedAt < cutoff).ExecuteDeleteAsync(cancellationToken);
    }
}
