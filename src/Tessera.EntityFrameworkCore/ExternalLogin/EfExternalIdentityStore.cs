using Microsoft.EntityFrameworkCore;
using Tessera.Core.ExternalLogin;
using Tessera.Core.Users;

namespace Tessera.EntityFrameworkCore.ExternalLogin;

internal sealed class EfExternalIdentityStore(TesseraDbContext db) : IExternalIdentityStore
{
    public Task<ExternalIdentity?> FindAsync(string issuer, string subject, CancellationToken cancellationToken = default)
        => db.ExternalIdentities.AsNoTracking().FirstOrDefaultAsync(i => i.Issuer == issuer && i.Subject == subject, cancellationToken);

    public async Task<IReadOnlyList<ExternalIdentity>> ListAsync(long userId, CancellationToken cancellationToken = default)
        => await db.ExternalIdentities.AsNoTracking().Where(i => i.UserId == userId).OrderBy(i => i.LinkedAt).ThenBy(i => i.Id)
            .ToListAsync(cancellationToken).ConfigureAwait(false);

    public Task<bool> AddAsync(ExternalIdentity identity, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(identity);
        // Either unique index may refuse it (the account linked to someone, or the user has one of
        // that provider); a missing user is a foreign-key failure, and the taken check finds nothing.
        return db.TryInsertAsync(identity, () => ExternalIdentityRows.TakenAsync(db, identity, cancellationToken), cancellationToken);
    }

    public async Task<ExternalIdentityRemoval> RemoveAsync(long userId, string provider,
        Func<User, IReadOnlyList<ExternalIdentity>, bool> mayRemove, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(mayRemove);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // The user's row written to itself first: of concurrent removals (or a removal and a password
        // change) of one user, the second waits for the first to commit (PostgreSQL's row lock; SQLite's
        // one writer), then reads what it left. Otherwise two removals of an account's last two ways in
        // could each see the other identity and both pass the check.
        var held = await db.Users.Where(u => u.Id == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.RevocationEpoch, u => u.RevocationEpoch), cancellationToken).ConfigureAwait(false);
        if (held != 1)
            return ExternalIdentityRemoval.NotLinked;
        var user = await db.Users.AsNoTracking().FirstAsync(u => u.Id == userId, cancellationToken).ConfigureAwait(false);
        var identities = await db.ExternalIdentities.AsNoTracking().Where(i => i.UserId == userId).OrderBy(i => i.LinkedAt).ThenBy(i => i.Id)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var identity = identities.FirstOrDefault(i => string.Equals(i.Provider, provider, StringComparison.Ordinal));
        if (identity is null)
            return ExternalIdentityRemoval.NotLinked;
        if (!mayRemove(user, identities))
            return ExternalIdentityRemoval.Refused;
        var id = identity.Id;
        await db.ExternalIdentities.Where(i => i.Id == id).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return ExternalIdentityRemoval.Removed;
    }
}

/// <summary>What the store and the user-change transaction share about the table.</summary>
internal static class ExternalIdentityRows
{
    /// <summary>Whether a committed row holds one of the identity's unique keys: (issuer, subject), or (user, provider).</summary>
    public static Task<bool> TakenAsync(TesseraDbContext db, ExternalIdentity identity, CancellationToken cancellationToken)
    {
        var (issuer, subject, userId, provider) = (identity.Issuer, identity.Subject, identity.UserId, identity.Provider);
        return db.ExternalIdentities.AnyAsync(i => (i.Issuer == issuer && i.Subject == subject) || (i.UserId == userId && i.Provider == provider), cancellationToken);
    }
}
