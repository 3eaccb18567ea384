using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Tessera.Core.Revocation;

namespace Tessera.EntityFrameworkCore.Revocation;

/// <summary>The refresh-token ledger on <c>token_blacklist</c>: one database transaction per unit of work.</summary>
internal sealed class EfRefreshTokenLedger(TesseraDbContext db, TimeProvider time, Core.Audit.IRequestOrigin? origin = null) : IRefreshTokenLedger
{
    public async Task<IRefreshTokenLedgerTransaction> BeginAsync(CancellationToken cancellationToken = default)
        => new Transaction(db, time, origin, await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false));

    private sealed class Transaction(TesseraDbContext db, TimeProvider time, Core.Audit.IRequestOrigin? origin, IDbContextTransaction transaction) : IRefreshTokenLedgerTransaction
    {
        // Far beyond any token lifetime; keeps a forged-but-signed exp of 1e30 storable and sweepable.
        private static readonly long MaxUnixSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

        public async Task<TokenDenial> DenyAsync(RefreshRotation token, CancellationToken cancellationToken = default)
        {
            var jti = token.Jti;
            var row = new BlacklistedToken
            {
                Jti = jti,
                UserId = token.UserId,
                ExpiresAt = Math.Min(token.TokenExpiresAt.ToUnixTimeSeconds(), MaxUnixSeconds),
                BlacklistedAtMs = token.Now.ToUnixTimeMilliseconds(),
            };
            // The primary key picks the one first caller.
            if (await db.TryInsertAsync(row, () => db.BlacklistedTokens.AnyAsync(t => t.Jti == jti, cancellationToken), cancellationToken).ConfigureAwait(false))
                return TokenDenial.Inserted;
            var at = await db.BlacklistedTokens.AsNoTracking().Where(t => t.Jti == jti)
                .Select(t => (long?)t.BlacklistedAtMs).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            return new TokenDenial(false, at);
        }

        public Task<AdmissionChange> RevokeLoginAsync(LoginId login, long userId, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
            => db.RevokeLoginAsync(login, userId, expiresAt, time.GetUtcNow(), cancellationToken);

        public Task AppendAuditAsync(Core.Audit.AuditEvent e, CancellationToken cancellationToken = default)
            => Audit.EfAuditStore.AppendAsync(db, e, time.GetUtcNow(), origin, cancellationToken);

        public Task CommitAsync(CancellationToken cancellationToken = default) => transaction.CommitAsync(cancellationToken);

        public ValueTask DisposeAsync() => transaction.DisposeAsync();
    }
}
