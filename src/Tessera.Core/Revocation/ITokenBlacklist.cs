namespace Tessera.Core.Revocation;

/// <summary>
/// The denied refresh and sliding tokens, by <c>jti</c>. Rows are written by
/// <see cref="IRefreshTokenLedger"/> together with what they decide; this reads them and sweeps them.
/// </summary>
public interface ITokenBlacklist : IExpiringRecords
{
    Task<bool> ContainsAsync(string jti, CancellationToken cancellationToken = default);
}
