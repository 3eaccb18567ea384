using Tessera.Core.Revocation;

namespace Tessera.Core.Logins;

/// <summary>Persistence of <see cref="LoginRecord"/>s; decides nothing.</summary>
public interface ILoginRecordStore : IExpiringRecords
{
    Task AddAsync(LoginRecord record, CancellationToken cancellationToken = default);

    /// <summary>
    /// The user's logins not expired at <paramref name="now"/> whose stored credential (session, DRF
    /// token, API key) still exists, oldest first. Revocations are memory's: the caller asks the gate.
    /// </summary>
    Task<IReadOnlyList<LoginRecord>> ListActiveAsync(long userId, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Moves a login's end later (a rotated refresh token outlives the first); never earlier, never a login without an end.</summary>
    Task ExtendAsync(LoginId login, DateTime expiresAt, CancellationToken cancellationToken = default);

    Task RemoveAsync(long userId, IReadOnlyCollection<string> loginIds, CancellationToken cancellationToken = default);

    /// <summary>Sets each login's last use, one batch; a login whose row is gone is skipped.</summary>
    Task TouchAsync(IReadOnlyCollection<(LoginId Login, DateTime LastUsed)> batch, CancellationToken cancellationToken = default);
}
