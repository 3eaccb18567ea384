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
    private async Task<LoginGate> FailAsync(string username, string? address = "10.0.0.1")
        => await _limiter.CheckAsync(username, address); // a failure needs no call

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
            Assert.False((await limiter.CheckAsync("user" + i, "192.0.2.7")).IsRefused);
        var refused = await limiter.CheckAsync("fresh-user", "192.0.2.7");
        Assert.True(refused.IsRefused);
        Assert.Equal(900, refused.RetryAfterSeconds);

        // The refusal cost "fresh-user" nothing, and other addresses are unaffected.
        var elsewhere = await limiter.CheckAsync("fresh-user", "198.51.100.1");
        Assert.False(elsewhere.IsRefused);
        Assert.Equal(TimeSpan.Zero, elsewhere.Delay);

        // And a username at its limit is refused from every address.
        for (var i = 0; i < 10; i++)
            await limiter.CheckAsync("target", "203.0.113." + i);
        Assert.True((await limiter.CheckAsync("target", "203.0.113.200")).IsRefused);
    }

    [Fact]
    public async Task Parallel_guesses_cannot_slip_under_the_limit()
    {
        var admitted = 0;
        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            var gate = await _limiter.CheckAsync("alice", "10.0.1." + (i % 50));
            if (!gate.IsRefused)
                Interlocked.Increment(ref admitted);
        }))).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(10, admitted);
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
            Assert.False((await _limiter.CheckAsync("alice", null)).IsRefused);
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
