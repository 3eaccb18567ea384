using System.Security.Cryptography;
using System.Text;

namespace Tessera.Core.Throttling;

/// <summary>
/// Brute-force protection for password logins. Failures are counted per username (compared
/// case-insensitively) and per client address, in fixed windows of
/// <see cref="LoginProtectionOptions.Window"/>. After <see cref="LoginProtectionOptions.SlowdownAfter"/>
/// failures on a key each further attempt is delayed (doubling, capped); at the maximum it is
/// refused until the window passes.
/// <para>
/// Nothing here knows whether a username exists, so an unknown username is counted, slowed and
/// refused exactly like a known one. Each admitted attempt is counted as a failure up front, in
/// one atomic step with the check, so parallel guesses cannot all slip under the limit; a success
/// then clears the username's count and gives back its own count on the address.
/// </para>
/// Use: <c>var gate = await CheckAsync(username, address)</c>; if <see cref="LoginGate.IsRefused"/>
/// answer 429; else <c>await Task.Delay(gate.Delay)</c>, check the password, and on success
/// <c>await RecordSuccessAsync(gate)</c>. A failure needs no call.
/// </summary>
public sealed class LoginAttemptLimiter
{
    private readonly ILoginAttemptStore _store;
    private readonly LoginProtectionOptions _options;
    private readonly TimeProvider _time;

    public LoginAttemptLimiter(ILoginAttemptStore store, LoginProtectionOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        var problems = options.Validate().ToList();
        if (problems.Count > 0)
            throw new ArgumentException("Invalid login protection options: " + string.Join(" ", problems), nameof(options));
        _store = store;
        _options = options;
        _time = time;
    }

    public LoginProtectionOptions Options => _options;

    /// <summary>
    /// Decides whether an attempt for <paramref name="username"/> from <paramref name="address"/>
    /// (null when unknown: only the username is then counted) may go ahead, and counts it.
    /// </summary>
    public async ValueTask<LoginGate> CheckAsync(string username, string? address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(username);
        if (!_options.Enabled)
            return LoginGate.Unprotected;

        var usernameKey = UsernameKey(username);
        var byUsername = await _store.TryCountAsync(usernameKey, _options.MaxFailuresPerUsername, _options.Window, cancellationToken)
            .ConfigureAwait(false);
        if (!byUsername.Admitted)
            return Refused(byUsername.WindowEnd);

        string? addressKey = null;
        var delay = DelayAfter(byUsername.PriorCount);
        if (!string.IsNullOrEmpty(address))
        {
            addressKey = AddressKey(address);
            LoginAttemptCount byAddress;
            try
            {
                byAddress = await _store.TryCountAsync(addressKey, _options.MaxFailuresPerAddress, _options.Window, CancellationToken.None)
                    .ConfigureAwait(false);
            }
            catch
            {
                await _store.UncountAsync(usernameKey, CancellationToken.None).ConfigureAwait(false);
                throw;
            }
            if (!byAddress.Admitted)
            {
                // This attempt will not be made: give back what it took from the username.
                await _store.UncountAsync(usernameKey, CancellationToken.None).ConfigureAwait(false);
                return Refused(byAddress.WindowEnd);
            }
            // An address is shared (NAT, office): it is slowed only once half its allowance is gone,
            // so a few typos of colleagues do not slow everyone's login.
            var addressDelay = DelayAfter(byAddress.PriorCount, Math.Max(_options.SlowdownAfter, _options.MaxFailuresPerAddress / 2));
            if (addressDelay > delay)
                delay = addressDelay;
        }
        return new LoginGate(false, TimeSpan.Zero, delay, usernameKey, addressKey);
    }

    /// <summary>The password was right: clears the username's failures and gives back this attempt's count on the address.</summary>
    public async ValueTask RecordSuccessAsync(LoginGate gate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(gate);
        if (gate.IsRefused || Interlocked.Exchange(ref gate.Completed, 1) != 0)
            return;
        if (gate.UsernameKey is { } usernameKey)
            await _store.ResetAsync(usernameKey, cancellationToken).ConfigureAwait(false);
        if (gate.AddressKey is { } addressKey)
            await _store.UncountAsync(addressKey, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The attempt ended before the password was checked (cancelled, server busy): gives back its counts.</summary>
    public async ValueTask AbandonAsync(LoginGate gate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(gate);
        if (gate.IsRefused || Interlocked.Exchange(ref gate.Completed, 1) != 0)
            return;
        if (gate.UsernameKey is { } usernameKey)
            await _store.UncountAsync(usernameKey, cancellationToken).ConfigureAwait(false);
        if (gate.AddressKey is { } addressKey)
            await _store.UncountAsync(addressKey, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The delay before an attempt on a key with <paramref name="failures"/> earlier failures.</summary>
    public TimeSpan DelayAfter(int failures) => DelayAfter(failures, _options.SlowdownAfter);

    private TimeSpan DelayAfter(int failures, int slowdownAfter)
    {
        var beyond = failures - slowdownAfter;
        if (beyond < 0 || _options.InitialDelay <= TimeSpan.Zero)
            return TimeSpan.Zero;
        var ticks = _options.InitialDelay.Ticks;
        for (var i = 0; i < beyond && ticks < _options.MaxDelay.Ticks; i++)
            ticks *= 2;
        return TimeSpan.FromTicks(Math.Min(ticks, _options.MaxDelay.Ticks));
    }

    /// <summary>
    /// The store key of a username: upper-cased (invariant, full Unicode case mapping), so "alice"
    /// and "ALICE" share a count, then hashed, so every key has the same small size. (No NFKC:
    /// the app runs with invariant globalization, where normalisation is unavailable.)
    /// </summary>
    public static string UsernameKey(string username)
    {
        ArgumentNullException.ThrowIfNull(username);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(username.ToUpperInvariant()));
        return "login:user:" + Convert.ToHexStringLower(hash);
    }

    /// <summary>The store key of a client address (as the caller chose to identify it).</summary>
    public static string AddressKey(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return "login:addr:" + address;
    }

    private LoginGate Refused(DateTimeOffset windowEnd)
    {
        var wait = windowEnd - _time.GetUtcNow();
        return new LoginGate(true, wait > TimeSpan.Zero ? wait : TimeSpan.FromSeconds(1), TimeSpan.Zero, null, null);
    }
}
