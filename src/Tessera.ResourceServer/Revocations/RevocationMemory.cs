using System.Collections.Concurrent;
using Tessera.Core.Jwt;
using Tessera.Core.Revocation;

namespace Tessera.ResourceServer.Revocations;

/// <summary>Whether the memory may decide: before the first snapshot it may not, nor once it is too stale.</summary>
internal enum MemoryState
{
    Live,
    NotReady,
    Stale,
}

/// <summary>
/// What the revocation stream said is in force, kept in memory so that every request is decided
/// without a call: revoked logins (a token's <c>lid</c>) until their <c>until</c>, each user's epoch
/// floor, retired key ids; and when the stream was last heard. Events only ever add refusals (a floor
/// only rises), so a snapshot received again after a reconnect merges into what is known: nothing
/// that was refused is admitted again before its time. Thread-safe: the stream writes, requests read.
/// </summary>
internal sealed class RevocationMemory(TimeProvider time)
{
    // Tessera's own memory of revoked logins: keyed by the parsed login id, which validation already
    // read into the token (ValidatedToken.Login), so a request reads no claim and makes no string.
    private readonly RevocationState _revokedLogins = new();
    private readonly ConcurrentDictionary<long, long> _epochFloors = new();
    private readonly ConcurrentDictionary<string, long> _retiredKeys = new(StringComparer.Ordinal);

    // UtcTicks of the last line heard from the stream; 0: never.
    private long _lastHeardTicks;
    private volatile bool _ready;

    public bool IsReady => _ready;

    public int RevokedLoginCount => _revokedLogins.Count;

    public DateTimeOffset? LastHeard => Interlocked.Read(ref _lastHeardTicks) is var t && t > 0 ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    /// <summary>The stream said something (an event, a comment, a heartbeat): the memory is current as of now.</summary>
    public void Heard() => Interlocked.Exchange(ref _lastHeardTicks, time.GetUtcNow().UtcTicks);

    /// <summary>The first snapshot is complete (<c>event: ready</c>).</summary>
    public void MarkReady() => _ready = true;

    public void RevokeLogin(LoginId loginId, long untilUnixSeconds) => _revokedLogins.Revoke(loginId, untilUnixSeconds);

    public void RaiseEpochFloor(long userId, long epoch)
        => _epochFloors.AddOrUpdate(userId, epoch, (_, known) => Math.Max(known, epoch));

    /// <summary>Remembers a retired key until <paramref name="untilUnixSeconds"/>, so a later JWKS fetch cannot bring it back.</summary>
    public void RetireKey(string keyId, long untilUnixSeconds)
        => _retiredKeys.AddOrUpdate(keyId, untilUnixSeconds, (_, known) => Math.Max(known, untilUnixSeconds));

    public bool IsKeyRetired(string keyId) => _retiredKeys.ContainsKey(keyId);

    /// <summary>Whether a request may be decided from this memory, given <paramref name="maxStaleness"/> (null: no bound).</summary>
    public MemoryState State(TimeSpan? maxStaleness, out TimeSpan staleFor)
    {
        staleFor = TimeSpan.Zero;
        if (!_ready)
            return MemoryState.NotReady;
        if (maxStaleness is not { } bound)
            return MemoryState.Live;
        staleFor = new TimeSpan(Math.Max(0, time.GetUtcNow().UtcTicks - Interlocked.Read(ref _lastHeardTicks)));
        return staleFor > bound ? MemoryState.Stale : MemoryState.Live;
    }

    /// <summary>
    /// Whether the stream's word refuses <paramref name="token"/>: its login revoked, or its epoch
    /// under its user's floor. A token with no <c>epoch</c> claim, of a user who has a floor, is
    /// refused too: Tessera puts an epoch in every token it signs, and a token without one (signed
    /// before epochs, or by a SimpleJWT service sharing the key) cannot show that it was made after
    /// the revoke-all, password change or deactivation that set the floor; the stream says when
    /// logins ended only as an epoch, not as a time that iat could be compared with.
    /// </summary>
    public bool Refuses(ValidatedToken token)
    {
        if (token.Login is { } login && _revokedLogins.IsRevoked(login))
            return true;
        if (token.Epoch == long.MinValue)
            return true; // an epoch claim that is no integer: no user is ever at it
        if (token.UserId is { } user && _epochFloors.TryGetValue(user, out long floor))
            return token.Epoch is not { } epoch || epoch < floor;
        return false;
    }

    /// <summary>Forgets what no token can need any more: revocations past their <c>until</c>.</summary>
    public void Purge()
    {
        _revokedLogins.RemoveExpired(time.GetUtcNow());
        long now = time.GetUtcNow().ToUnixTimeSeconds();
        foreach (var (kid, until) in _retiredKeys)
        {
            if (until < now)
                _retiredKeys.TryRemove(new KeyValuePair<string, long>(kid, until));
        }
    }
}
