using Tessera.Core.Throttling;

namespace Tessera.Core.Tests.Throttling;

public sealed class InMemoryRateLimitStoreTests
{
    private readonly ManualTimeProvider _time = new();

    private InMemoryRateLimitStore Store(TimeSpan? sweepInterval = null) => new(_time, sweepInterval ?? TimeSpan.FromMinutes(1));

    [Fact]
    public async Task Exactly_n_pass_at_once_then_the_next_waits_one_interval()
    {
        var store = Store();
        var rate = RateLimit.Parse("10/minute");
        for (var i = 0; i < 10; i++)
            Assert.True((await store.AcquireAsync("k", rate)).Allowed, $"request {i + 1}");

        var refused = await store.AcquireAsync("k", rate);
        Assert.False(refused.Allowed);
        Assert.Equal(TimeSpan.FromSeconds(6), refused.RetryAfter);
        Assert.Equal(6, refused.RetryAfterSeconds);

        // A refused request takes nothing: asking again later gives a shorter wait.
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(TimeSpan.FromSeconds(4), (await store.AcquireAsync("k", rate)).RetryAfter);
    }

    [Fact]
    public async Task Retry_after_is_rounded_up_as_drf()
    {
        var store = Store();
        var rate = RateLimit.Parse("1000/day"); // one per 86.4 s
        for (var i = 0; i < 1000; i++)
            Assert.True((await store.AcquireAsync("k", rate)).Allowed);
        var refused = await store.AcquireAsync("k", rate);
        Assert.False(refused.Allowed);
        Assert.Equal(TimeSpan.FromSeconds(86.4), refused.RetryAfter);
        Assert.Equal(87, refused.RetryAfterSeconds);
    }

    [Fact]
    public async Task Allowance_refills_smoothly()
    {
        var store = Store();
        var rate = RateLimit.Parse("3/hour"); // one per 20 minutes
        for (var i = 0; i < 3; i++)
            Assert.True((await store.AcquireAsync("k", rate)).Allowed);
        Assert.False((await store.AcquireAsync("k", rate)).Allowed);

        _time.Advance(TimeSpan.FromMinutes(20) - TimeSpan.FromTicks(1));
        Assert.False((await store.AcquireAsync("k", rate)).Allowed);
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.True((await store.AcquireAsync("k", rate)).Allowed);
        Assert.False((await store.AcquireAsync("k", rate)).Allowed);

        // After a full period the whole burst is back, and no more.
        _time.Advance(TimeSpan.FromHours(5));
        for (var i = 0; i < 3; i++)
            Assert.True((await store.AcquireAsync("k", rate)).Allowed);
        Assert.False((await store.AcquireAsync("k", rate)).Allowed);
    }

    [Fact]
    public async Task Keys_are_independent()
    {
        var store = Store();
        var rate = RateLimit.Parse("2/second");
        Assert.True((await store.AcquireAsync("a", rate)).Allowed);
        Assert.True((await store.AcquireAsync("a", rate)).Allowed);
        Assert.False((await store.AcquireAsync("a", rate)).Allowed);
        Assert.True((await store.AcquireAsync("b", rate)).Allowed);
        Assert.True((await store.AcquireAsync("b", rate)).Allowed);
        Assert.False((await store.AcquireAsync("b", rate)).Allowed);
    }

    [Fact]
    public async Task Parallel_takers_never_exceed_the_limit()
    {
        var store = Store();
        var rate = RateLimit.Parse("1000/day");
        var allowed = 0;
        var refused = 0;
        using var start = new ManualResetEventSlim();
        var workers = Enumerable.Range(0, 64).Select(w => Task.Run(async () =>
        {
            start.Wait();
            for (var i = w; i < 2000; i += 64)
            {
                if ((await store.AcquireAsync("shared", rate)).Allowed)
                    Interlocked.Increment(ref allowed);
                else
                    Interlocked.Increment(ref refused);
            }
        })).ToArray();
        start.Set();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1000, allowed);
        Assert.Equal(1000, refused);
    }

    [Fact]
    public async Task Parallel_takers_and_sweeps_never_exceed_the_limit()
    {
        // Sweeping on every call races eviction against taking; a lost update would let more through.
        var store = Store(TimeSpan.Zero);
        var rate = RateLimit.Parse("100/second");
        var allowed = 0;
        var workers = Enumerable.Range(0, 32).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 500; i++)
            {
                if ((await store.AcquireAsync("k" + (i % 4), rate)).Allowed)
                    Interlocked.Increment(ref allowed);
                if (i % 50 == 0)
                    store.RemoveIdle();
            }
        })).ToArray();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(400, allowed);
    }

    [Fact]
    public async Task Idle_keys_are_evicted_and_evicting_them_changes_nothing()
    {
        var store = Store(TimeSpan.FromMinutes(1));
        var rate = RateLimit.Parse("10/minute");
        for (var i = 0; i < 100; i++)
            await store.AcquireAsync("ip" + i, rate);
        for (var i = 0; i < 10; i++)
            await store.AcquireAsync("busy", rate);
        Assert.Equal(101, store.Count);

        // One request used 6 s of a key's allowance: after 6 s it is at full allowance again.
        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(100, store.RemoveIdle());
        Assert.Equal(1, store.Count); // "busy" has got back one request of ten
        Assert.True((await store.AcquireAsync("busy", rate)).Allowed);
        Assert.False((await store.AcquireAsync("busy", rate)).Allowed);

        // The sweep also runs by itself, at most once per interval, on the call that finds it due.
        _time.Advance(TimeSpan.FromMinutes(1));
        await store.AcquireAsync("other", rate);
        Assert.Equal(1, store.Count);

        // An evicted key starts again with its full allowance, as it would have had anyway.
        for (var i = 0; i < 10; i++)
            Assert.True((await store.AcquireAsync("ip0", rate)).Allowed);
        Assert.False((await store.AcquireAsync("ip0", rate)).Allowed);
    }

    [Fact]
    public void Gcra_is_exact_for_rates_that_do_not_divide_evenly()
    {
        var rate = RateLimit.Parse("7/minute");
        var tat = 0L;
        var now = TimeSpan.FromDays(1).Ticks;
        for (var i = 0; i < 7; i++)
        {
            var (decision, next) = Gcra.Evaluate(tat, now, rate);
            Assert.True(decision.Allowed);
            tat = next;
        }
        var (refused, same) = Gcra.Evaluate(tat, now, rate);
        Assert.False(refused.Allowed);
        Assert.Equal(tat, same);
        Assert.Equal(rate.EmissionInterval, refused.RetryAfter);
    }
}
