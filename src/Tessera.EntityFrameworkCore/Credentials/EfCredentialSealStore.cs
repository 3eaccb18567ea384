using Microsoft.EntityFrameworkCore;
using Tessera.Core.Credentials;

namespace Tessera.EntityFrameworkCore.Credentials;

internal sealed class EfCredentialSealStore(TesseraDbContext db) : ICredentialSealStore
{
    public async Task<CredentialSealState> LoadAsync(byte[] candidateKey, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var candidate = new CredentialSealKey { Key = Convert.ToHexStringLower(candidateKey), CreatedAt = now.ToUnixTimeSeconds() };
        // Instances starting together both try; the primary key keeps the first, the others read it.
        await db.TryInsertAsync(candidate, () => db.CredentialSealKeys.AnyAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
        var stored = await db.CredentialSealKeys.AsNoTracking().SingleAsync(k => k.Id == CredentialSealKey.TheId, cancellationToken).ConfigureAwait(false);
        var key = Convert.FromHexString(stored.Key);
        if (stored.NoneUnsealed)
            return new CredentialSealState(key, []);
        // Rows of the key's own second may be sealed already: read as unsealed, they are merely read.
        // No index serves created_at (the tables are written on every login), so this reads the three
        // tables whole; it does so only until a start finds none.
        var before = stored.CreatedAt;
        var unsealed = new List<string>();
        unsealed.AddRange(await db.Sessions.Where(s => s.CreatedAt <= before).Select(s => s.KeyHash).ToListAsync(cancellationToken).ConfigureAwait(false));
        unsealed.AddRange(await db.OpaqueTokens.Where(t => t.CreatedAt <= before).Select(t => t.KeyHash).ToListAsync(cancellationToken).ConfigureAwait(false));
        unsealed.AddRange(await db.ApiKeys.Where(k => k.CreatedAt <= before).Select(k => k.KeyHash).ToListAsync(cancellationToken).ConfigureAwait(false));
        if (unsealed.Count == 0)
            await db.CredentialSealKeys.Where(k => k.Id == CredentialSealKey.TheId)
                .ExecuteUpdateAsync(s => s.SetProperty(k => k.NoneUnsealed, true), cancellationToken).ConfigureAwait(false);
        return new CredentialSealState(key, unsealed);
    }
}
