using System.Collections.Concurrent;
using Tessera.Core.Revocation;

namespace Tessera.Core.Logins;

/// <summary>
/// "Last used" of every login without a database write per request: each admitted request notes its
/// login's current minute in memory, which costs a dictionary read and nothing else while the minute
/// is unchanged; <see cref="TakeChanged"/> hands what changed to one batched write (every 60 s). A
/// login's last use is thus exact to the minute, and written at most a flush interval late.
/// </summary>
internal sealed class LoginActivity(TimeProvider time)
{
    private const long MinuteMs = 60_000;

    // The minute each login was last noted in; entries older than the last minute are pruned at each take.
    private readonly ConcurrentDictionary<LoginId, long> _noted = new();
    // What changed since the last take.
    private readonly ConcurrentDictionary<LoginId, long> _changed = new();

    public void Note(LoginId login)
    {
        var minute = time.GetUtcNow().ToUnixTimeMilliseconds() / MinuteMs;
        if (_noted.TryGetValue(login, out var noted) && noted >= minute)
            return;
        // Once a minute per login; concurrent requests at a minute's turn keep the later minute.
        _noted.AddOrUpdate(login, static (_, m) => m, static (_, old, m) => Math.Max(old, m), minute);
        _changed.AddOrUpdate(login, static (_, m) => m, static (_, old, m) => Math.Max(old, m), minute);
    }

    /// <summary>The logins used since the last take, each with the start of its last minute of use.</summary>
    public IReadOnlyCollection<(LoginId Login, DateTime LastUsed)> TakeChanged()
    {
        var taken = new List<(LoginId, DateTime)>();
        foreach (var (login, minute) in _changed)
        {
            if (_changed.TryRemove(new KeyValuePair<LoginId, long>(login, minute)))
                taken.Add((login, DateTimeOffset.FromUnixTimeMilliseconds(minute * MinuteMs).UtcDateTime));
        }
        var stale = time.GetUtcNow().ToUnixTimeMilliseconds() / MinuteMs - 1;
        foreach (var (login, minute) in _noted)
        {
            if (minute < stale)
                _noted.TryRemove(new KeyValuePair<LoginId, long>(login, minute));
        }
        return taken;
    }

    /// <summary>Puts back what a failed write could not store, unless a later use replaced it.</summary>
    public void Restore(IReadOnlyCollection<(LoginId Login, DateTime LastUsed)> batch)
    {
        foreach (var (login, lastUsed) in batch)
        {
            var minute = new DateTimeOffset(lastUsed, TimeSpan.Zero).ToUnixTimeMilliseconds() / MinuteMs;
            _changed.AddOrUpdate(login, minute, (_, later) => Math.Max(later, minute));
        }
    }
}
