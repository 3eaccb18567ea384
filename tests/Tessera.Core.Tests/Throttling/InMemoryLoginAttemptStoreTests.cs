using Tessera.Core.Throttling;

namespace Tessera.Core.Tests.Throttling;

public sealed class InMemoryLoginAttemptStoreTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);

    private readonly ManualTimeProvider _time = new();
    private readonly InMemoryLoginAttemptStore _store;

    public InMemoryLoginAttemptStoreTests() => _store = new InMemoryLoginAttemptStore(_time, TimeSpan.FromMinutes(1));

    private ValueTask<LoginAttemptAdmission> BeginAsync(int limit = 3) => _store.TryBeginAsync("k", limit, Lifetime);

    [Fact]
    public async Task Failures_and_attempts_in_flight_fill_the_limit_together_but_only_failures_refuse()
    {
        var a = await BeginAsync();
        var b = await BeginAsync();
        var c = await BeginAsync();
        Assert.All(new[] { a, b, c }, x => Assert.Equal(LoginAttemptOutcome.Admitted, x.Outcome));
        Assert.Equal(2, c.InFlight);
        Assert.Distinct(new[] { a.Slot, b.Slot, c.Slot });

        Assert.Equal((LoginAttemptOutcome.Busy, 0, 3), Summary(await BeginAsync()));
        await _store.EndAsync("k", a.Slot!, LoginAttemptEnd.CountFailure, Window);
        await _store.EndAsync("k", b.Slot!, LoginAttemptEnd.CountFailure, Window);
        Assert.Equal((LoginAttemptOutcome.Busy, 2, 1), Summary(await BeginAsync()));
        await _store.EndAsync("k", c.Slot!, LoginAttemptEnd.CountFailure, Window);
        var refused = await BeginAsync();
        Assert.Equal((LoginAttemptOutcome.Refused, 3, 0), Summary(refused));
        Assert.Equal(_time.GetUtcNow() + Window, refused.WindowEnd);
        Assert.Null(refused.Slot);
    }

    [Fact]
    public async Task Clearing_the_failures_leaves_the_other_attempts_in_flight()
    {
        var failed = await BeginAsync();
        await _store.EndAsync("k", failed.Slot!, LoginAttemptEnd.CountFailure, Window);
        var other = await BeginAsync();
        var right = await BeginAsync();

        await _store.EndAsync("k", right.Slot!, LoginAttemptEnd.ClearFailures, Window);
        Assert.Equal((LoginAttemptOutcome.Admitted, 0, 1), Summary(await BeginAsync())); // "other" still in flight
        Assert.NotNull(other.Slot);
    }

    [Fact]
    public async Task A_slot_expires_after_its_lifetime_and_ending_it_late_or_twice_changes_nothing_else()
    {
        var stale = await BeginAsync(limit: 1);
        Assert.Equal(LoginAttemptOutcome.Busy, (await BeginAsync(limit: 1)).Outcome);
        _time.Advance(Lifetime);
        var fresh = await BeginAsync(limit: 1);
        Assert.Equal((LoginAttemptOutcome.Admitted, 0, 0), Summary(fresh));

        await _store.EndAsync("k", stale.Slot!, LoginAttemptEnd.Release, Window);
        await _store.EndAsync("k", stale.Slot!, LoginAttemptEnd.Release, Window);
        Assert.Equal(LoginAttemptOutcome.Busy, (await BeginAsync(limit: 1)).Outcome); // the fresh one still holds its slot
        await _store.EndAsync("k", fresh.Slot!, LoginAttemptEnd.Release, Window);
        Assert.Equal(0, _store.Count); // nothing left: the key is gone
    }

    [Fact]
    public async Task The_window_opens_at_the_first_failure_and_keys_left_empty_are_swept()
    {
        var first = await BeginAsync();
        _time.Advance(TimeSpan.FromMinutes(5)); // the attempt took a while: its window opens when it failed
        await _store.EndAsync("k", first.Slot!, LoginAttemptEnd.CountFailure, Window);
        Assert.Equal(_time.GetUtcNow() + Window, (await BeginAsync()).WindowEnd);

        _ = await _store.TryBeginAsync("other", 3, Lifetime); // never ended
        _time.Advance(Window);
        Assert.Equal(2, _store.RemoveExpired()); // "k": window passed, slot expired; "other": slot expired
        Assert.Equal(0, _store.Count);
    }

    private static (LoginAttemptOutcome, int, int) Summary(LoginAttemptAdmission admission) => (admission.Outcome, admission.Failures, admission.InFlight);
}
