using Tessera.Core.Revocation;
using Tessera.Core.Users;

namespace Tessera.Benchmarks;

/// <summary>
/// The data every benchmark uses: revoked logins made over the last 7 days whose refresh tokens
/// expire within the next 7 days (a 7-day refresh lifetime, the worst case for how long a
/// revocation row lives), and active users.
/// </summary>
internal static class Workload
{
    public const int LiveRevocations = 1_000_000;
    public const int Users = 100_000;
    public const long RefreshLifetimeMs = 7L * 24 * 3600 * 1000;

    public static readonly long NowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>A fresh login id made at a random instant of the last 7 days.</summary>
    public static LoginId RecentLogin(Random random) => LoginId.New(NowMs - random.NextInt64(RefreshLifetimeMs));

    /// <summary>When the last token of a login expires: its creation plus the refresh lifetime.</summary>
    public static long ExpiresAtSeconds(LoginId login) => (login.CreatedAtMs + RefreshLifetimeMs) / 1000;

    /// <summary>
    /// The same bit layout as <see cref="LoginId.New"/> (48 bits of milliseconds, 64 random bits),
    /// but the random bits come from <paramref name="random"/>: a seeded generator gives every
    /// benchmark process the same table, and is far cheaper than the CSPRNG for a million ids.
    /// </summary>
    public static LoginId SeededRecentLogin(Random random)
    {
        var createdAtMs = NowMs - random.NextInt64(RefreshLifetimeMs);
        Span<byte> bits = stackalloc byte[8];
        random.NextBytes(bits);
        var r = BitConverter.ToUInt64(bits);
        return new LoginId(((ulong)createdAtMs << 16) | (r >> 48), r & 0xFFFF_FFFF_FFFF);
    }

    /// <summary><paramref name="count"/> distinct login ids (distinct: 64 random bits each, checked).</summary>
    public static LoginId[] DistinctLogins(int count, Func<LoginId> next)
    {
        var seen = new HashSet<LoginId>(count);
        var ids = new LoginId[count];
        for (var i = 0; i < count;)
        {
            var id = next();
            if (seen.Add(id))
                ids[i++] = id;
        }
        return ids;
    }

    public static RevocationState RevocationStateOf(LoginId[] revoked)
    {
        var state = new RevocationState();
        foreach (var id in revoked)
            state.Revoke(id, ExpiresAtSeconds(id));
        return state;
    }

    /// <summary>
    /// Users 1..<see cref="Users"/>, all active; one in ten once revoked everything 30 days ago
    /// (so the gate's "made before the user's revocation epoch" comparison runs and passes).
    /// </summary>
    public static UserSnapshots UserSnapshotsOf(Random random)
    {
        var users = new UserSnapshots();
        for (long id = 1; id <= Users; id++)
        {
            long? revokedBefore = random.Next(10) == 0 ? NowMs - 30L * 24 * 3600 * 1000 : null;
            users.Set(id, new UserSnapshot(id, $"user{id}", $"user{id}@example.com", IsActive: true,
                IsStaff: random.Next(4) == 0, IsSuperuser: false, revokedBefore));
        }
        return users;
    }
}
