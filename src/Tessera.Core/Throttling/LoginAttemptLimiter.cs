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
/// refused exactly like a known one. So that parallel guesses cannot all slip under the limit, an
/// admitted attempt holds a slot on each of its keys until its outcome is reported, and a key admits
/// an attempt only while its failures and its attempts in flight together are below the limit. An
/// attempt in flight is no failure, though: when the failures are below the limit and only the
/// attempts in flight fill it, a new attempt waits for them to end (up to
/// <see cref="LoginProtectionOptions.InFlightWait"/>) and decides again. So a burst of right
/// passwords is never refused for attempts that did not fail, and a burst of guesses gets exactly
/// the limit's worth of checks. A success clears the username's failures (its other attempts in
/// flight keep their slots) and counts nothing on the address.
/// </para>
/// Use: <c>var gate = await CheckAsync(username, address)</c>; if <see cref="LoginGate.IsRefused"/>
/// answer 429; else <c>await Task.Delay(gate.Delay)</c>, check the password, and report the outcome:
/// <see cref="RecordSuccessAsync"/>, <see cref="RecordFailureAsync"/>, or <see cref="AbandonAsync"/>
/// when the password was never checked.
/// </summary>
public sealed class LoginAttemptLimiter
{
    /// <summary>
    /// How long an attempt in flight holds its slot at most: longer than any slowdown
    /// (<see cref="LoginProtectionOptions.MaxDelay"/> is at most 30 s) and password check, short enough
    /// that the slots of an instance that stopped mid-check free their keys soon. An attempt still
    /// running then is no longer in flight for the others, but its failure is counted all the same.
    /// </summary>
    public static readonly TimeSpan InFlightLifetime = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How often a waiting attempt looks at the store again: an attempt ending in this process wakes
    /// it at once; one ending on another instance is found by this look.
    /// </summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private static readonly LoginGate Busy = new(true, true, TimeSpan.FromSeconds(1), TimeSpan.Zero, null, null, null, null);

    private readonly ILoginAttemptStore _store;
    private readonly LoginProtectionOptions _options;
    private readonly TimeProvider _time;
    private readonly AttemptEndSignals _ended = new();

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
    /// (null when unknown: only the username is then counted) may go ahead, waiting first for the
    /// attempts in flight if they fill a limit, and if so takes its slots.
    /// </summary>
    public async ValueTask<LoginGate> CheckAsync(string username, string? address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(username);
        if (!_options.Enabled)
            return LoginGate.Unprotected;

        var usernameKey = UsernameKey(username);
        var addressKey = string.IsNullOrEmpty(address) ? null : AddressKey(address);
        string? busyKey = null;
        AttemptEndSignals.Signal? ended = null;
        string? endedKey = null;
        CancellationTokenSource? waitLimit = null;
        try
        {
            while (true)
            {
                if (busyKey is not null && (ended is null || endedKey != busyKey || ended.Ended.IsCompleted))
                {
                    // Listen before looking, so that an attempt ending in between wakes this one.
                    if (ended is not null)
                        _ended.Leave(endedKey!, ended);
                    (endedKey, ended) = (busyKey, _ended.Listen(busyKey));
                }
                var (gate, busy) = await TryAdmitAsync(usernameKey, addressKey, cancellationToken).ConfigureAwait(false);
                if (gate is not null)
                    return gate;
                if (_options.InFlightWait <= TimeSpan.Zero)
                    return Busy;
                waitLimit ??= new CancellationTokenSource(_options.InFlightWait, _time);
                if (waitLimit.IsCancellationRequested)
                    return Busy;
                if (busy == busyKey)
                    await WaitAsync(ended!.Ended, waitLimit.Token, cancellationToken).ConfigureAwait(false);
                else
                    busyKey = busy; // look again at once, listening to this key
            }
        }
        finally
        {
            if (ended is not null)
                _ended.Leave(endedKey!, ended);
            waitLimit?.Dispose();
        }
    }

    /// <summary>The password was right: clears the username's failures and counts nothing on the address.</summary>
    public ValueTask RecordSuccessAsync(LoginGate gate, CancellationToken cancellationToken = default)
        => EndAsync(gate, LoginAttemptEnd.ClearFailures, LoginAttemptEnd.Release, cancellationToken);

    /// <summary>The password was wrong (or the user unknown): one failure on the username and one on the address.</summary>
    public ValueTask RecordFailureAsync(LoginGate gate, CancellationToken cancellationToken = default)
        => EndAsync(gate, LoginAttemptEnd.CountFailure, LoginAttemptEnd.CountFailure, cancellationToken);

    /// <summary>The attempt ended before the password was checked (cancelled, server busy): counts nothing.</summary>
    public ValueTask AbandonAsync(LoginGate gate, CancellationToken cancellationToken = default)
        => EndAsync(gate, LoginAttemptEnd.Release, LoginAttemptEnd.Release, cancellationToken);

    /// <summary>One look at the store: the gate (admitted or refused), or the key whose attempts in flight fill its limit.</summary>
    private async ValueTask<(LoginGate? Gate, string? BusyKey)> TryAdmitAsync(string usernameKey, string? addressKey, CancellationToken cancellationToken)
    {
        var byUsername = await _store.TryBeginAsync(usernameKey, _options.MaxFailuresPerUsername, InFlightLifetime, cancellationToken)
            .ConfigureAwait(false);
        if (byUsername.Outcome == LoginAttemptOutcome.Refused)
            return (Refused(byUsername.WindowEnd), null);
        if (byUsername.Outcome == LoginAttemptOutcome.Busy)
            return (null, usernameKey);

        var delay = DelayAfter(byUsername.Failures);
        if (addressKey is null)
            return (new LoginGate(false, false, TimeSpan.Zero, delay, usernameKey, byUsername.Slot, null, null), null);
        LoginAttemptAdmission byAddress;
        try
        {
            byAddress = await _store.TryBeginAsync(addressKey, _options.MaxFailuresPerAddress, InFlightLifetime, CancellationToken.None)
                .ConfigureAwait(false);
        }
        catch
        {
            await EndAsync(usernameKey, byUsername.Slot!, LoginAttemptEnd.Release, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        if (byAddress.Outcome != LoginAttemptOutcome.Admitted)
        {
            // This attempt is not made now: give back its slot on the username.
            await EndAsync(usernameKey, byUsername.Slot!, LoginAttemptEnd.Release, CancellationToken.None).ConfigureAwait(false);
            return byAddress.Outcome == LoginAttemptOutcome.Refused ? (Refused(byAddress.WindowEnd), null) : (null, addressKey);
        }
        // An address is shared (NAT, office): it is slowed only once half its allowance is gone,
        // so a few typos of colleagues do not slow everyone's login.
        var addressDelay = DelayAfter(byAddress.Failures, Math.Max(_options.SlowdownAfter, _options.MaxFailuresPerAddress / 2));
        if (addressDelay > delay)
            delay = addressDelay;
        return (new LoginGate(false, false, TimeSpan.Zero, delay, usernameKey, byUsername.Slot, addressKey, byAddress.Slot), null);
    }

    /// <summary>Until an attempt on the key ends here, the next poll, or the wait's limit; throws if the request is cancelled.</summary>
    private async Task WaitAsync(Task ended, CancellationToken waitLimit, CancellationToken cancellationToken)
    {
        using var poll = CancellationTokenSource.CreateLinkedTokenSource(waitLimit, cancellationToken);
        var next = Task.Delay(PollInterval, _time, poll.Token);
        await Task.WhenAny(ended, next).ConfigureAwait(false);
        await poll.CancelAsync().ConfigureAwait(false); // the poll's timer goes now, not when it would have fired
        cancellationToken.ThrowIfCancellationRequested();
    }

    private async ValueTask EndAsync(LoginGate gate, LoginAttemptEnd onUsername, LoginAttemptEnd onAddress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(gate);
        if (gate.IsRefused || Interlocked.Exchange(ref gate.Completed, 1) != 0)
            return;
        try
        {
            if (gate.UsernameKey is { } usernameKey)
                await EndAsync(usernameKey, gate.UsernameSlot!, onUsername, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (gate.AddressKey is { } addressKey)
                await EndAsync(addressKey, gate.AddressSlot!, onAddress, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Ends the attempt on one key, then wakes the attempts of this process waiting on it.</summary>
    private async ValueTask EndAsync(string key, string slot, LoginAttemptEnd end, CancellationToken cancellationToken)
    {
        try
        {
            await _store.EndAsync(key, slot, end, _options.Window, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _ended.Pulse(key);
        }
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
        return new LoginGate(true, false, wait > TimeSpan.Zero ? wait : TimeSpan.FromSeconds(1), TimeSpan.Zero, null, null, null, null);
    }
}
