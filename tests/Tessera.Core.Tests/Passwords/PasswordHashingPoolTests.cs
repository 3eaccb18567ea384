using Tessera.Core.Passwords;

namespace Tessera.Core.Tests.Passwords;

public sealed class PasswordHashingPoolTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static PasswordHashingPool Pool(int concurrency = 2, int queue = 100) =>
        new(new PasswordHashingOptions { Iterations = 1000, MaxConcurrency = concurrency, QueueLimit = queue });

    [Fact]
    public async Task Concurrent_hashes_complete_and_verify()
    {
        using var pool = Pool(concurrency: 2, queue: 100);
        var passwords = Enumerable.Range(0, 50).Select(i => $"password {i} ü").ToArray();
        var hashes = await Task.WhenAll(passwords.Select(p => pool.HashAsync(p))).WaitAsync(Timeout);

        Assert.Equal(passwords.Length, hashes.Distinct(StringComparer.Ordinal).Count());
        Assert.All(hashes, h => Assert.StartsWith("pbkdf2_sha256$1000$", h, StringComparison.Ordinal));
        var results = await Task.WhenAll(passwords.Select((p, i) => pool.VerifyAsync(p, hashes[i]))).WaitAsync(Timeout);
        Assert.All(results, r => Assert.Equal(PasswordVerification.Success, r));
        Assert.Equal(PasswordVerification.Failed, await pool.VerifyAsync("nope", hashes[0]));
        Assert.Equal(PasswordVerification.Failed, await pool.VerifyAsync(passwords[0], null));
        Assert.Equal(PasswordVerification.Failed, await pool.VerifyAsync(passwords[0], "garbage"));
    }

    [Fact]
    public async Task Work_runs_on_the_pools_own_threads_and_continuations_do_not()
    {
        using var pool = Pool(concurrency: 2);
        var seen = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => pool.RunAsync(
            () =>
            {
                Thread.Sleep(5);
                var t = Thread.CurrentThread;
                return (t.Name, t.IsThreadPoolThread, t.IsBackground, t.ManagedThreadId);
            },
            CancellationToken.None))).WaitAsync(Timeout);

        Assert.All(seen, s =>
        {
            Assert.StartsWith(PasswordHashingPool.ThreadNamePrefix, s.Name, StringComparison.Ordinal);
            Assert.False(s.IsThreadPoolThread);
            Assert.True(s.IsBackground);
        });
        Assert.InRange(seen.Select(s => s.ManagedThreadId).Distinct().Count(), 1, 2);

        // Even a continuation asking to run synchronously is not run on the hashing thread.
        var continuationThread = await pool.HashAsync("pw").ContinueWith(
            _ => Thread.CurrentThread.Name,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default).WaitAsync(Timeout);
        Assert.False(continuationThread?.StartsWith(PasswordHashingPool.ThreadNamePrefix, StringComparison.Ordinal) ?? false);
    }

    [Fact]
    public async Task Hashing_threads_run_at_a_low_priority_so_requests_get_the_cores_first()
    {
        if (!OperatingSystem.IsLinux())
            return; // the nice value is Linux's; elsewhere Thread.Priority is set
        using var pool = Pool(concurrency: 2);
        var onHashingThreads = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => pool.RunAsync(NiceOfThisThread, CancellationToken.None))).WaitAsync(Timeout);
        Assert.All(onHashingThreads, nice => Assert.Equal(10, nice));
        Assert.Equal(0, await Task.Run(NiceOfThisThread)); // the request threads keep the normal priority

        // Where the kernel reports the time slice (Linux 6.12 on), the hashing threads have the short one.
        var slices = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => pool.RunAsync(SliceOfThisThread, CancellationToken.None))).WaitAsync(Timeout);
        if (slices[0] is { } slice)
            Assert.All(slices, s => Assert.Equal(100_000, s));
    }

    /// <summary><c>se.slice</c> of <c>/proc/thread-self/sched</c>, in nanoseconds; null where the kernel does not show it.</summary>
    private static long? SliceOfThisThread()
    {
        foreach (var line in File.ReadLines("/proc/thread-self/sched"))
            if (line.StartsWith("se.slice", StringComparison.Ordinal))
                return (long)double.Parse(line[(line.IndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        return null;
    }

    [Fact]
    public async Task Hashing_threads_keep_the_normal_priority_when_told_to()
    {
        if (!OperatingSystem.IsLinux())
            return;
        using var pool = new PasswordHashingPool(new PasswordHashingOptions { Iterations = 1000, MaxConcurrency = 2, LowPriority = false });
        var onHashingThreads = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => pool.RunAsync(NiceOfThisThread, CancellationToken.None))).WaitAsync(Timeout);
        Assert.All(onHashingThreads, nice => Assert.Equal(0, nice));
    }

    /// <summary>Field 19 of <c>/proc/thread-self/stat</c>, counted after the command name's closing parenthesis.</summary>
    private static int NiceOfThisThread()
    {
        var stat = File.ReadAllText("/proc/thread-self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[19 - 3], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Full_queue_fails_fast_with_busy()
    {
        using var pool = Pool(concurrency: 1, queue: 2);
        using var started = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var blocker = pool.RunAsync(() => { started.Set(); release.Wait(Timeout); return 0; }, CancellationToken.None);
        Assert.True(started.Wait(Timeout));

        var queued1 = pool.HashAsync("a");
        var queued2 = pool.VerifyAsync("b", null);
        Assert.Equal(2, pool.QueuedCount);

        var rejected = pool.HashAsync("c");
        Assert.True(rejected.IsFaulted, "a full queue must fail at once, not wait");
        await Assert.ThrowsAsync<PasswordHashingBusyException>(() => rejected);
        await Assert.ThrowsAsync<PasswordHashingBusyException>(() => pool.VerifyAsync("d", "pbkdf2_sha256$1000$x$y"));

        release.Set();
        await blocker.WaitAsync(Timeout);
        Assert.StartsWith("pbkdf2_sha256$", await queued1.WaitAsync(Timeout), StringComparison.Ordinal);
        Assert.Equal(PasswordVerification.Failed, await queued2.WaitAsync(Timeout));

        // Room again.
        Assert.StartsWith("pbkdf2_sha256$", await pool.HashAsync("e").WaitAsync(Timeout), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_before_start_skips_the_work()
    {
        using var pool = Pool(concurrency: 1, queue: 10);
        using var started = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var blocker = pool.RunAsync(() => { started.Set(); release.Wait(Timeout); return 0; }, CancellationToken.None);
        Assert.True(started.Wait(Timeout));

        var ran = 0;
        using var cts = new CancellationTokenSource();
        var cancelled = pool.RunAsync(() => Interlocked.Increment(ref ran), cts.Token);
        cts.Cancel();

        // The caller is released at once, while the thread is still busy.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Timeout));
        Assert.True(cancelled.IsCanceled);

        release.Set();
        await blocker.WaitAsync(Timeout);
        await pool.RunAsync(() => 0, CancellationToken.None).WaitAsync(Timeout); // FIFO: the skipped item was dequeued first
        Assert.Equal(0, Volatile.Read(ref ran));

        // An already cancelled token never queues.
        var pre = pool.HashAsync("pw", new CancellationToken(canceled: true));
        Assert.True(pre.IsCanceled);
    }

    [Fact]
    public async Task Exceptions_in_work_reach_the_caller_and_the_thread_survives()
    {
        using var pool = Pool(concurrency: 1);
        await Assert.ThrowsAsync<ArgumentException>(() => pool.HashAsync("lone \uD800 surrogate").WaitAsync(Timeout));
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            pool.RunAsync<int>(() => throw new InvalidOperationException("boom"), CancellationToken.None).WaitAsync(Timeout));
        Assert.StartsWith("pbkdf2_sha256$", await pool.HashAsync("fine").WaitAsync(Timeout), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dispose_finishes_running_work_fails_queued_work_and_joins_threads()
    {
        var pool = Pool(concurrency: 1, queue: 10);
        using var started = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var running = pool.RunAsync(
            () =>
            {
                started.Set();
                release.Wait(Timeout);
                return Thread.CurrentThread;
            },
            CancellationToken.None);
        Assert.True(started.Wait(Timeout));
        var queued = pool.HashAsync("queued");

        var disposing = Task.Factory.StartNew(pool.Dispose, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Assert.True(SpinWait.SpinUntil(() => pool.IsDisposed, Timeout));
        Assert.False(disposing.IsCompleted, "Dispose must wait for the running work");
        Assert.Throws<ObjectDisposedException>(() => { _ = pool.HashAsync("late"); }); // a usage error: thrown, not faulted

        release.Set();
        await disposing.WaitAsync(Timeout);
        var worker = await running.WaitAsync(Timeout);
        Assert.False(worker.IsAlive);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => queued.WaitAsync(Timeout));

        pool.Dispose(); // idempotent
        Assert.Throws<ObjectDisposedException>(() => { _ = pool.VerifyAsync("x", null); });
    }

    [Fact]
    public void Idle_pool_disposes_promptly()
    {
        var pool = Pool(concurrency: 3);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        pool.Dispose();
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Hash_uses_the_configured_iterations()
    {
        using var pool = new PasswordHashingPool(new PasswordHashingOptions { Iterations = 1500, MaxConcurrency = 1, QueueLimit = 1 });
        Assert.Equal(1500, pool.Hasher.Iterations);
        var encoded = await pool.HashAsync("pw").WaitAsync(Timeout);
        Assert.Matches(@"^pbkdf2_sha256\$1500\$[a-zA-Z0-9]{22}\$[A-Za-z0-9+/]{43}=$", encoded);
        Assert.Equal(PasswordVerification.SuccessRehashNeeded,
            await pool.VerifyAsync("pw", DjangoPbkdf2Hasher.Encode("pw", "QwErTy1234567890abcdEF", 1000)).WaitAsync(Timeout));
    }
}
