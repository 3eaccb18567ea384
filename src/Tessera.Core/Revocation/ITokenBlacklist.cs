namespace Tessera.Core.Revocation;

/// <summary>The denied refresh and sliding tokens, by <c>jti</c>. Implemented over EF Core in Tessera.Data.</summary>
public interface ITokenBlacklist : IExpiringRecords
{
    /// <summary>
    /// Denies the token; true only for the one caller that denied it first. Atomic in the database
    /// (insert guarded by the primary key), so of N concurrent rotations of one token exactly one wins.
    /// </summary>
    Task<bool> TryAddAsync(string jti, long? userId, DateTimeOffset expiresAt, CancellationToken cancellationToken = default);

    Task<bool> ContainsAsync(string jti, CancellationToken cancellationToken = default);
}
