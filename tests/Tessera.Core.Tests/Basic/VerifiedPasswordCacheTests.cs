using Tessera.Core.Basic;

namespace Tessera.Core.Tests.Basic;

public class VerifiedPasswordCacheTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_remembered_pair_is_found_until_its_lifetime_ends()
    {
        var cache = new VerifiedPasswordCache(TimeSpan.FromMinutes(5));
        cache.Remember("alice", "s3cret", userId: 7, epoch: 2, Now);

        Assert.True(cache.TryGet("alice", "s3cret", Now.AddMinutes(4), out var id, out var epoch));
        Assert.Equal((7L, 2L), (id, epoch));
        Assert.False(cache.TryGet("alice", "s3cret", Now.AddMinutes(5), out _, out _));
        Assert.Equal(0, cache.Count); // the expired entry went
    }

    [Theory]
    [InlineData("alice", "s3creT")]
    [InlineData("Alice", "s3cret")]
    [InlineData("alice", "s3cret ")]
    [InlineData("alice:s3cret", "")]
    [InlineData("alic", "es3cret")]
    public void Only_the_very_same_pair_is_found(string username, string password)
    {
        var cache = new VerifiedPasswordCache(TimeSpan.FromMinutes(5));
        cache.Remember("alice", "s3cret", 7, 0, Now);

        Assert.False(cache.TryGet(username, password, Now, out _, out _));
    }

    [Fact]
    public void Two_caches_key_the_same_pair_differently_so_nothing_is_a_plain_hash_of_the_password()
    {
        // The key is drawn at start: what one process holds means nothing to another, nor offline.
        var a = new VerifiedPasswordCache(TimeSpan.FromMinutes(5));
        var b = new VerifiedPasswordCache(TimeSpan.FromMinutes(5));
        a.Remember("alice", "s3cret", 7, 0, Now);
        Assert.False(b.TryGet("alice", "s3cret", Now, out _, out _));
    }

    [Fact]
    public void Forget_and_a_zero_lifetime_remember_nothing()
    {
        var cache = new VerifiedPasswordCache(TimeSpan.FromMinutes(5));
        cache.Remember("alice", "s3cret", 7, 0, Now);
        cache.Forget("alice", "s3cret");
        Assert.False(cache.TryGet("alice", "s3cret", Now, out _, out _));

        var off = new VerifiedPasswordCache(TimeSpan.Zero);
        off.Remember("alice", "s3cret", 7, 0, Now);
        Assert.False(off.TryGet("alice", "s3cret", Now, out _, out _));
    }

    [Fact]
    public void It_never_holds_more_than_its_capacity()
    {
        var cache = new VerifiedPasswordCache(TimeSpan.FromMinutes(5), capacity: 100);
        for (var i = 0; i < 1000; i++)
            cache.Remember("user" + i, "pw", i, 0, Now);
        Assert.InRange(cache.Count, 1, 100);
    }

    [Fact]
    public async Task Concurrent_checks_of_one_pair_run_once_and_share_the_answer()
    {
        var cache = new VerifiedPasswordCache(TimeSpan.Zero); // even when nothing is remembered after
        var release = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var runs = 0;
        Task<string> Check() { Interlocked.Increment(ref runs); return release.Task; }

        var same = Enumerable.Range(0, 20).Select(_ => cache.CheckOnceAsync("alice", "s3cret", Check)).ToList();
        var other = cache.CheckOnceAsync("alice", "s3creT", () => Task.FromResult("other pair"));
        Assert.Equal("other pair", await other);
        Assert.Equal(1, runs);

        release.SetResult("checked");
        Assert.All(await Task.WhenAll(same).WaitAsync(TimeSpan.FromSeconds(10)), r => Assert.Equal("checked", r));
        Assert.Equal("again", await cache.CheckOnceAsync("alice", "s3cret", () => Task.FromResult("again"))); // over: a new check
    }

    [Fact]
    public async Task A_failed_check_fails_every_call_that_shared_it()
    {
        var cache = new VerifiedPasswordCache(TimeSpan.FromMinutes(5));
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = cache.CheckOnceAsync("alice", "s3cret", () => release.Task);
        var second = cache.CheckOnceAsync("alice", "s3cret", () => Task.FromResult(2));

        release.SetException(new InvalidOperationException("busy"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => first);
        await Assert.ThrowsAsync<InvalidOperationException>(() => second);
    }

    [Fact]
    public async Task A_call_whose_shared_check_was_cancelled_runs_its_own()
    {
        // The request that ran the check went away: the others still want their answer.
        var cache = new VerifiedPasswordCache(TimeSpan.FromMinutes(5));
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = cache.CheckOnceAsync("alice", "s3cret", () => release.Task);
        var second = cache.CheckOnceAsync("alice", "s3cret", () => Task.FromResult(2));

        release.SetCanceled();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        Assert.Equal(2, await second.WaitAsync(TimeSpan.FromSeconds(10)));

        // And one whose own request goes away stops waiting at once.
        var slow = new TaskCompletionSource<int>();
        _ = cache.CheckOnceAsync("bob", "pw", () => slow.Task);
        using var gone = new CancellationTokenSource();
        var waiting = cache.CheckOnceAsync("bob", "pw", () => Task.FromResult(3), gone.Token);
        await gone.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }
}
