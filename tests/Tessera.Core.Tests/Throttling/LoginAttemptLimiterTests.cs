using Tessera.Core.Throttling;

namespace Tessera.Core.Tests.Throttling;

public sealed class LoginAttemptLimiterTests
{
    private readonly ManualTimeProvider _time = new();
    private readonly InMemoryLoginAttemptStore _store;
    private readonly LoginAttemptLimiter _limiter;

    public LoginAttemptLimiterTests()
    {
        _store = new InMemoryLoginAttemptStore(_time, TimeSpan.FromMinutes(1));
        _limiter = new LoginAttemptLimiter(_store, new LoginProtectionOptions(), _time);
    }

    /// <summary>One attempt with a wrong password; returns its gate.</summary>
    private Task<LoginGate> FailAsync(string username, string? address = "10.0.0.1") => FailAsync(_limiter, username, address);

    private static async Task<LoginGate> FailAsync(LoginAttemptLimiter limiter, string username, string? address)
    {
        var gate = await limiter.CheckAsync(username, address);
        await limiter.RecordFailureAsync(gate); // nothing, if it was refused
        return gate;
    }

    /// <summary>Admitted attempts still being checked (never reported, as from an instance that stopped).</summary>
    private async Task<LoginGate[]> InFlightAsync(int count, string username = "alice", LoginAttemptLimiter? limiter = null)
    {
        var gates = new LoginGate[count];
        for (var i = 0; i < count; i++)
        {
            gates[i] = await (limiter ?? _limiter).CheckAsync(username, "10.0.0.1");
            Assert.False(gates[i].IsRefused, $"attempt {i + 1}");
        }
        return gates;
    }

    /// <summary>Waits (in real time, bounded) for an attempt that was waiting to be decided.</summary>
    private static async Task<LoginGate> DecidedAsync(Task<LoginGate> waiting) => await waiting.WaitAsync(TimeSpan.FromSeconds(10));

    [Fact]
    public async Task Slows_down_after_three_failures_then_refuses_at_ten()
    {
        var delays = new List<TimeSpan>();
        for (var i = 0; i < 10; i++)
        {
            var gate = await FailAsync("alice");
            Assert.False(gate.IsRefused, $"attempt {i + 1}");
            delays.Add(gate.Delay);
        }
        Assert.Equal(
            new[] { 0, 0, 0, 250, 500, 1000, 2000, 2000, 2000, 2000 }.Select(ms => TimeSpan.FromMilliseconds(ms)),
            delays);

        _time.Advance(TimeSpan.FromMinutes(5));
        var refused = await _limiter.CheckAsync("alice", "10.0.0.1");
        Assert.True(refused.IsRefused);
        Assert.Equal(TimeSpan.FromMinutes(10), refused.RetryAfter);
        Assert.Equal(600, refused.RetryAfterSeconds);
        Assert.Equal(TimeSpan.Zero, refused.Delay);
    }

    [Fact]
    public async Task An_unknown_username_is_treated_exactly_like_a_known_one()
    {
        // The limiter never learns whether a user exists; the gates must be identical either way.
        var known = new List<(bool, TimeSpan, TimeSpan)>();
        var unknown = new List<(bool, TimeSpan, TimeSpan)>();
        for (var i = 0; i < 12; i++)
        {
            var k = await FailAsync("alice", "10.0.0.1");
            var u = await FailAsync("no-such-user-xyz", "10.0.0.2");
            known.Add((k.IsRefused, k.RetryAfter, k.Delay));
            unknown.Add((u.IsRefused, u.RetryAfter, u.Delay));
        }
        Assert.Equal(known, unknown);
        Assert.True(unknown[^1].Item1);
    }

    [Fact]
    public async Task Usernames_are_compared_case_insensitively()
    {
        for (var i = 0; i < 4; i++)
            await FailAsync(i % 2 == 0 ? "Alice" : "ALICE");
        Assert.Equal(TimeSpan.FromMilliseconds(500), (await FailAsync("alice")).Delay);
        Assert.Equal(LoginAttemptLimiter.UsernameKey("émile"), LoginAttemptLimiter.UsernameKey("ÉMILE"));
        Assert.NotEqual(LoginAttemptLimiter.UsernameKey("alice"), LoginAttemptLimiter.UsernameKey("bob"));
        _ = LoginAttemptLimiter.UsernameKey("\ud800 lone surrogate"); // not valid Unicode: still a key, no exception
    }

    [Fact]
    public async Task A_success_clears_the_usernames_count_but_not_the_addresss()
    {
        for (var i = 0; i < 9; i++)
            await FailAsync("alice", "10.0.0.1");
        var gate = await _limiter.CheckAsync("alice", "10.0.0.1");
        Assert.False(gate.IsRefused);
        await _limiter.RecordSuccessAsync(gate);

        var next = await _limiter.CheckAsync("alice", "10.0.0.9");
        Assert.False(next.IsRefused);
        Assert.Equal(TimeSpan.Zero, next.Delay); // username back to zero

        // The address keeps its nine failures: 42 more (other users) pass half its allowance of 100,
        // so a new username from it is slowed (an address is shared: it slows only past half).
        for (var i = 0; i < 42; i++)
            await FailAsync("user" + i, "10.0.0.1");
        var fromAddress = await _limiter.CheckAsync("bob", "10.0.0.1");
        Assert.Equal(TimeSpan.FromMilliseconds(500), fromAddress.Delay);
    }

    [Fact]
    public async Task Refusal_lasts_until_the_window_passes()
    {
        for (var i = 0; i < 10; i++)
            await FailAsync("alice");
        _time.Advance(TimeSpan.FromMinutes(15) - TimeSpan.FromSeconds(1));
        var refused = await _limiter.CheckAsync("alice", "10.0.0.1");
        Assert.True(refused.IsRefused);
        Assert.Equal(1, refused.RetryAfterSeconds);

        _time.Advance(TimeSpan.FromSeconds(1));
        var again = await _limiter.CheckAsync("alice", "10.0.0.1");
        Assert.False(again.IsRefused);
        Assert.Equal(TimeSpan.Zero, again.Delay);
    }

    [Fact]
    public async Task The_address_limit_is_independent_of_the_username()
    {
        var limiter = new LoginAttemptLimiter(_store,
            new LoginProtectionOptions { MaxFailuresPerUsername = 10, MaxFailuresPerAddress = 20 }, _time);
        // Spraying many usernames from one address: no username reaches its limit, the address does.
        for (var i = 0; i < 20; i++)
            Assert.False((await FailAsync(limiter, "user" + i, "192.0.2.7")).IsRefused);
        var refused = await limiter.CheckAsync("fresh-user", "192.0.2.7");
        Assert.True(refused.IsRefused);
        Assert.Equal(900, refused.RetryAfterSeconds);

        // The refusal cost "fresh-user" nothing, and other addresses are unaffected.
        var elsewhere = await limiter.CheckAsync("fresh-user", "198.51.100.1");
        Assert.False(elsewhere.IsRefused);
        Assert.Equal(TimeSpan.Zero, elsewhere.Delay);

        // And a username at its limit is refused from every address.
        for (var i = 0; i < 10; i++)
            await FailAsync(limiter, "target", "203.0.113." + i);
        Assert.True((await limiter.CheckAsync("target", "203.0.113.200")).IsRefused);
    }

    [Fact]
    public async Task Parallel_guesses_cannot_slip_under_the_limit()
    {
        var admitted = 0;
        var gates = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            var gate = await _limiter.CheckAsync("alice", "10.0.1." + (i % 50));
            if (!gate.IsRefused)
            {
                Interlocked.Increment(ref admitted);
                await Task.Yield(); // the password is being checked: others arrive meanwhile
                await _limiter.RecordFailureAsync(gate);
            }
            return gate;
        }))).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(10, admitted);
        // The others waited for the ten in flight, then were refused for the rest of the window.
        Assert.All(gates.Where(g => g.IsRefused), g => Assert.Equal((false, TimeSpan.FromMinutes(15)), (g.IsBusy, g.RetryAfter)));
    }

    [Fact]
    public async Task Parallel_right_passwords_are_all_admitted()
    {
        // The issue: every attempt was counted as a failure before its check, so the eleventh in flight was refused.
        var gates = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(async () =>
        {
            var gate = await _limiter.CheckAsync("alice", "10.0.1." + (i % 3));
            await Task.Yield();
            await _limiter.RecordSuccessAsync(gate);
            return gate;
        }))).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.All(gates, g => Assert.False(g.IsRefused));
        Assert.All(gates, g => Assert.Equal(TimeSpan.Zero, g.Delay));
        Assert.Equal(0, _store.Count); // every slot given back
    }

    [Fact]
    public async Task An_attempt_waits_for_the_attempts_in_flight_and_is_admitted_when_one_succeeds()
    {
        var inFlight = await InFlightAsync(10);

        var waiting = _limiter.CheckAsync("alice", "10.0.0.2").AsTask();
        Assert.False(waiting.IsCompleted); // not refused: none of the ten has failed

        await _limiter.RecordSuccessAsync(inFlight[0]);
        var gate = await DecidedAsync(waiting);
        Assert.False(gate.IsRefused);
        Assert.Equal(TimeSpan.Zero, gate.Delay);
    }

    [Fact]
    public async Task An_abandoned_attempt_gives_its_place_to_a_waiting_one_and_counts_nothing()
    {
        var inFlight = await InFlightAsync(10);
        var waiting = _limiter.CheckAsync("alice", "10.0.0.2").AsTask();

        await _limiter.AbandonAsync(inFlight[3]);
        var gate = await DecidedAsync(waiting);
        Assert.False(gate.IsRefused);
        Assert.Equal(TimeSpan.Zero, gate.Delay);
    }

    [Fact]
    public async Task A_waiting_attempt_is_refused_for_the_windows_time_left_once_the_failures_alone_reach_the_limit()
    {
        var inFlight = await InFlightAsync(10);
        var waiting = _limiter.CheckAsync("alice", "10.0.0.2").AsTask();

        _time.Advance(TimeSpan.FromSeconds(1)); // the window opens at the first failure, after this
        for (var i = 0; i < 9; i++)
        {
            await _limiter.RecordFailureAsync(inFlight[i]);
            Assert.False(waiting.IsCompleted, $"after failure {i + 1}"); // failures + in flight still fill it: it waits
        }
        await _limiter.RecordFailureAsync(inFlight[9]);
        var gate = await DecidedAsync(waiting);
        Assert.True(gate.IsRefused);
        Assert.False(gate.IsBusy);
        Assert.Equal(TimeSpan.FromMinutes(15), gate.RetryAfter);
    }

    [Fact]
    public async Task A_failure_frees_a_place_while_the_failures_are_below_the_limit()
    {
        var inFlight = await InFlightAsync(10);
        var waiting = _limiter.CheckAsync("alice", "10.0.0.2").AsTask();

        await _limiter.RecordFailureAsync(inFlight[0]); // 1 failure + 9 in flight: still full
        Assert.False(waiting.IsCompleted);
        await _limiter.AbandonAsync(inFlight[1]); // 1 + 8: a place
        var gate = await DecidedAsync(waiting);
        Assert.False(gate.IsRefused);
    }

    [Fact]
    public async Task The_wait_is_bounded_and_then_refused_for_one_second_not_the_window()
    {
        await InFlightAsync(10); // never reported: still being checked, as far as anyone knows
        var waiting = _limiter.CheckAsync("alice", "10.0.0.2").AsTask();

        _time.Advance(TimeSpan.FromMilliseconds(4900)); // it polls the store meanwhile: still full
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(100)); // InFlightWait (5 s) has passed
        var gate = await DecidedAsync(waiting);
        Assert.True(gate.IsRefused);
        Assert.True(gate.IsBusy);
        Assert.Equal(1, gate.RetryAfterSeconds);
        Assert.Equal(0, _time.PendingTimers); // no timer of its wait left behind
    }

    [Fact]
    public async Task Without_a_wait_a_full_key_is_refused_for_one_second_at_once()
    {
        var limiter = new LoginAttemptLimiter(_store, new LoginProtectionOptions { InFlightWait = TimeSpan.Zero }, _time);
        await InFlightAsync(10, limiter: limiter);

        var gate = await limiter.CheckAsync("alice", "10.0.0.2");
        Assert.True(gate.IsBusy);
        Assert.Equal(TimeSpan.FromSeconds(1), gate.RetryAfter);
    }

    [Fact]
    public async Task A_slot_left_by_an_attempt_that_never_ended_expires_by_itself()
    {
        var limiter = new LoginAttemptLimiter(_store, new LoginProtectionOptions { InFlightWait = TimeSpan.Zero }, _time);
        var stale = await InFlightAsync(10, limiter: limiter); // their instance stopped mid-check
        Assert.True((await limiter.CheckAsync("alice", "10.0.0.2")).IsBusy);

        _time.Advance(LoginAttemptLimiter.InFlightLifetime - TimeSpan.FromSeconds(1));
        Assert.True((await limiter.CheckAsync("alice", "10.0.0.2")).IsBusy);
        _time.Advance(TimeSpan.FromSeconds(1));
        var gate = await limiter.CheckAsync("alice", "10.0.0.2");
        Assert.False(gate.IsRefused);
        Assert.Equal(TimeSpan.Zero, gate.Delay);

        // One that ends after all still counts its failure, and takes no other attempt's slot with it.
        await limiter.RecordFailureAsync(stale[0]);
        var now = await _store.TryBeginAsync(LoginAttemptLimiter.UsernameKey("alice"), 10, LoginAttemptLimiter.InFlightLifetime);
        Assert.Equal((1, 1), (now.Failures, now.InFlight)); // its failure; the fresh attempt
    }

    [Fact]
    public async Task An_attempt_waiting_on_a_full_address_gives_back_its_place_on_the_username()
    {
        var limiter = new LoginAttemptLimiter(_store,
            new LoginProtectionOptions { MaxFailuresPerUsername = 10, MaxFailuresPerAddress = 3 }, _time);
        var onAddress = new LoginGate[3];
        for (var i = 0; i < 3; i++)
            onAddress[i] = await limiter.CheckAsync("user" + i, "192.0.2.7");

        var waiting = limiter.CheckAsync("bob", "192.0.2.7").AsTask();
        Assert.False(waiting.IsCompleted);
        // Meanwhile bob's username holds nothing: ten attempts for bob from elsewhere are admitted.
        var elsewhere = new List<LoginGate>();
        for (var i = 0; i < 10; i++)
            elsewhere.Add(await limiter.CheckAsync("bob", "198.51.100." + i));
        Assert.All(elsewhere, g => Assert.False(g.IsRefused));
        foreach (var gate in elsewhere)
            await limiter.AbandonAsync(gate);

        await limiter.RecordSuccessAsync(onAddress[0]);
        Assert.False((await DecidedAsync(waiting)).IsRefused);
    }

    [Fact]
    public async Task An_abandoned_attempt_counts_nothing()
    {
        for (var i = 0; i < 3; i++)
            await FailAsync("alice");
        var gate = await _limiter.CheckAsync("alice", "10.0.0.1");
        await _limiter.AbandonAsync(gate);
        await _limiter.AbandonAsync(gate); // a second report changes nothing
        await _limiter.RecordSuccessAsync(gate);
        Assert.Equal(TimeSpan.FromMilliseconds(250), (await _limiter.CheckAsync("alice", "10.0.0.1")).Delay);
    }

    [Fact]
    public async Task Without_an_address_only_the_username_counts()
    {
        for (var i = 0; i < 10; i++)
            Assert.False((await FailAsync("alice", null)).IsRefused);
        Assert.True((await _limiter.CheckAsync("alice", null)).IsRefused);
        Assert.False((await _limiter.CheckAsync("bob", null)).IsRefused);
    }

    [Fact]
    public async Task Disabled_protection_admits_everything()
    {
        var limiter = new LoginAttemptLimiter(_store, new LoginProtectionOptions { Enabled = false }, _time);
        for (var i = 0; i < 50; i++)
        {
            var gate = await limiter.CheckAsync("alice", "10.0.0.1");
            Assert.False(gate.IsRefused);
            Assert.Equal(TimeSpan.Zero, gate.Delay);
        }
        Assert.Equal(0, _store.Count);
    }

    [Fact]
    public async Task Expired_and_cleared_entries_are_evicted()
    {
        for (var i = 0; i < 50; i++)
            await FailAsync("user" + i, "10.0.0." + i);
        Assert.Equal(100, _store.Count);

        var gate = await _limiter.CheckAsync("winner", null);
        await _limiter.RecordSuccessAsync(gate);
        Assert.Equal(100, _store.Count); // a success leaves nothing behind

        _time.Advance(TimeSpan.FromMinutes(15));
        Assert.Equal(100, _store.RemoveExpired());
        Assert.Equal(0, _store.Count);

        // The periodic sweep does the same by itself.
        await FailAsync("again", "10.9.9.9");
        _time.Advance(TimeSpan.FromMinutes(16));
        await FailAsync("later", null);
        Assert.Equal(1, _store.Count);
    }

    [Fact]
    public void Options_are_validated()
    {
        Assert.Empty(new LoginProtectionOptions().Validate());
        var bad = new LoginProtectionOptions
        {
            MaxFailuresPerUsername = 0,
            MaxFailuresPerAddress = -1,
            Window = TimeSpan.Zero,
            SlowdownAfter = 0,
            InitialDelay = TimeSpan.FromSeconds(5),
            MaxDelay = TimeSpan.FromSeconds(2),
        };
        var problems = bad.Validate().ToList();
        Assert.Equal(5, problems.Count);
        Assert.All(problems, p => Assert.StartsWith("Tessera:LoginProtection:", p, StringComparison.Ordinal));
        Assert.Throws<ArgumentException>(() => new LoginAttemptLimiter(_store, bad, _time));
    }
}
