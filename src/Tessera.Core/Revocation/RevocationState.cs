using System.Collections.Concurrent;

namespace Tessera.Core.Revocation;

/// <summary>
/// The revoked logins, in memory, so that the admission gate answers without a database round trip.
/// Each entry lives only until every token of its login has expired; <see cref="RemoveExpired"/>
/// drops it then, so memory is bounded by (revocations per second × token lifetime).
/// </summary>
public sealed class RevocationState
{
    private readonly ConcurrentDictionary<LoginId, long> _revoked = new();

    public int Count => _revoked.Count;

    public bool IsRevoked(LoginId login) => _revoked.ContainsKey(login);

    /// <param name="expiresAtUnixSeconds">When the last token of the login expires.</param>
    public void Revoke(LoginId login, long expiresAtUnixSeconds)
        => _revoked.AddOrUpdate(login, expiresAtUnixSeconds, (_, existing) => Math.Max(existing, expiresAtUnixSeconds));

    /// <summary>The revoked logins still held and not expired at <paramref name="now"/> (for the revocation stream's snapshot).</summary>
    internal IEnumerable<(LoginId Login, long ExpiresAt)> InForce(DateTimeOffset now)
    {
        var cutoff = now.ToUnixTimeSeconds();
        foreach (var (login, expires) in _revoked)
            if (expires >= cutoff)
                yield return (login, expires);
    }

    public int RemoveExpired(DateTimeOffset now)
    {
        var cutoff = now.ToUnixTimeSeconds();
        var removed = 0;
        foreach (var (login, expires) in _revoked)
            if (expires < cutoff && _revoked.TryRemove(new KeyValuePair<LoginId, long>(login, expires)))
                removed++;
        return removed;
    }

    /// <summary>Replaces the whole state with what the database holds (at start, or after missing events).</summary>
    public void Reload(IEnumerable<(LoginId Login, long ExpiresAt)> revoked)
    {
        var fresh = revoked.ToDictionary(r => r.Login, r => r.ExpiresAt);
        foreach (var login in _revoked.Keys)
            if (!fresh.ContainsKey(login))
                _revoked.TryRemove(login, out _);
        foreach (var (login, expires) in fresh)
            Revoke(login, expires);
    }
}
