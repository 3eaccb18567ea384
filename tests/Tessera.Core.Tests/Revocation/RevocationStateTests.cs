using Tessera.Core.Revocation;

namespace Tessera.Core.Tests.Revocation;

public class RevocationStateTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
    private static readonly long NowSeconds = Now.ToUnixTimeSeconds();

    private static LoginId NewLogin() => LoginId.New(Now.ToUnixTimeMilliseconds());

    [Fact]
    public void Revoke_ThenIsRevoked()
    {
        var state = new RevocationState();
        var login = NewLogin();

        state.Revoke(login, NowSeconds + 60);

        Assert.True(state.IsRevoked(login));
        Assert.Equal(1, state.Count);
    }

    [Fact]
    public void UnknownLogin_IsNotRevoked()
    {
        var state = new RevocationState();
        state.Revoke(NewLogin(), NowSeconds + 60);

        Assert.False(state.IsRevoked(NewLogin()));
        Assert.False(state.IsRevoked(default));
        Assert.False(new RevocationState().IsRevoked(NewLogin()));
    }

    [Fact]
    public void Revoke_IsKeyedByValue_NotByInstance()
    {
        var state = new RevocationState();
        var login = NewLogin();
        state.Revoke(login, NowSeconds + 60);

        Assert.True(LoginId.TryParse(login.ToString(), out var sameFromText));
        Assert.True(state.IsRevoked(sameFromText));
    }

    [Fact]
    public void RevokeTwice_LaterFirst_KeepsTheLaterExpiry()
    {
        var state = new RevocationState();
        var login = NewLogin();

        state.Revoke(login, NowSeconds + 100);
        state.Revoke(login, NowSeconds + 10);

        Assert.Equal(1, state.Count);
        // Between the two expiries: the later one still holds.
        Assert.Equal(0, state.RemoveExpired(Now.AddSeconds(50)));
        Assert.True(state.IsRevoked(login));
        // After the later one: gone.
        Assert.Equal(1, state.RemoveExpired(Now.AddSeconds(200)));
        Assert.False(state.IsRevoked(login));
    }

    [Fact]
    public void RevokeTwice_EarlierFirst_KeepsTheLaterExpiry()
    {
        var state = new RevocationState();
        var login = NewLogin();

        state.Revoke(login, NowSeconds + 10);
        state.Revoke(login, NowSeconds + 100);

        Assert.Equal(1, state.Count);
        Assert.Equal(0, state.RemoveExpired(Now.AddSeconds(50)));
        Assert.True(state.IsRevoked(login));
        Assert.Equal(1, state.RemoveExpired(Now.AddSeconds(200)));
        Assert.False(state.IsRevoked(login));
    }

    [Fact]
    public void RemoveExpired_DropsOnlyExpiredEntries_AndCountsThem()
    {
        var state = new RevocationState();
        var expired = Enumerable.Range(0, 7).Select(_ => NewLogin()).ToList();
        var live = Enumerable.Range(0, 5).Select(_ => NewLogin()).ToList();
        for (var i = 0; i < expired.Count; i++)
            state.Revoke(expired[i], NowSeconds - 1 - i * 60);
        for (var i = 0; i < live.Count; i++)
            state.Revoke(live[i], NowSeconds + 1 + i * 60);

        var removed = state.RemoveExpired(Now);

        Assert.Equal(expired.Count, removed);
        Assert.Equal(live.Count, state.Count);
        Assert.All(expired, l => Assert.False(state.IsRevoked(l)));
        Assert.All(live, l => Assert.True(state.IsRevoked(l)));
        // Nothing more to do the second time.
        Assert.Equal(0, state.RemoveExpired(Now));
        Assert.Equal(live.Count, state.Count);
    }

    [Fact]
    public void RemoveExpired_OnEmptyState_ReturnsZero()
    {
        Assert.Equal(0, new RevocationState().RemoveExpired(Now));
    }

    [Fact]
    public void RemoveExpired_FarInTheFuture_DropsEverything()
    {
        var state = new RevocationState();
        for (var i = 0; i < 50; i++)
            state.Revoke(NewLogin(), NowSeconds + i);

        Assert.Equal(50, state.RemoveExpired(Now.AddDays(365)));
        Assert.Equal(0, state.Count);
    }

    [Fact]
    public void Reload_ReplacesTheSet()
    {
        var state = new RevocationState();
        var dropped = NewLogin();
        var kept = NewLogin();
        var added = NewLogin();
        state.Revoke(dropped, NowSeconds + 60);
        state.Revoke(kept, NowSeconds + 60);

        state.Reload([(kept, NowSeconds + 60), (added, NowSeconds + 120)]);

        Assert.False(state.IsRevoked(dropped));
        Assert.True(state.IsRevoked(kept));
        Assert.True(state.IsRevoked(added));
        Assert.Equal(2, state.Count);
    }

    [Fact]
    public void Reload_WithNothing_EmptiesTheState()
    {
        var state = new RevocationState();
        for (var i = 0; i < 10; i++)
            state.Revoke(NewLogin(), NowSeconds + 60);

        state.Reload([]);

        Assert.Equal(0, state.Count);
    }

    [Fact]
    public void Reload_TakesTheExpiriesOfTheReload()
    {
        var state = new RevocationState();
        var login = NewLogin();
        state.Revoke(login, NowSeconds + 10);

        state.Reload([(login, NowSeconds + 100)]);

        Assert.Equal(0, state.RemoveExpired(Now.AddSeconds(50)));
        Assert.True(state.IsRevoked(login));
    }

    [Fact]
    public void Concurrent_RevokeAndQuery_DistinctAndSharedIds_LoseNothing()
    {
        const int threads = 16;
        const int perThread = 2_000;
        const int sharedCount = 300;
        var state = new RevocationState();
        var shared = Enumerable.Range(0, sharedCount).Select(_ => NewLogin()).ToArray();
        var own = Enumerable.Range(0, threads)
            .Select(_ => Enumerable.Range(0, perThread).Select(_ => NewLogin()).ToArray())
            .ToArray();
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var start = new Barrier(threads);

        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < perThread; i++)
            {
                var mine = own[t][i];
                state.Revoke(mine, NowSeconds + 10_000);
                if (!state.IsRevoked(mine))
                    failures.Enqueue($"thread {t}: own {i} not revoked right after Revoke");

                // Every thread revokes every shared id, each with its own expiry.
                var s = shared[(i + t * 7) % sharedCount];
                state.Revoke(s, NowSeconds + 100 + t);
                if (!state.IsRevoked(s))
                    failures.Enqueue($"thread {t}: shared not revoked right after Revoke");

                // Query someone else's id: never throws, never a false "revoked" for an id nobody revoked.
                _ = state.IsRevoked(own[(t + 1) % threads][i]);
                _ = state.Count;
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());

        Assert.Empty(failures);
        Assert.All(own.SelectMany(x => x), l => Assert.True(state.IsRevoked(l)));
        Assert.All(shared, l => Assert.True(state.IsRevoked(l)));
        Assert.Equal(threads * perThread + sharedCount, state.Count);

        // Concurrent revocations of one id kept the latest expiry: the highest thread's (100 + 15)
        // outlives a sweep at 100 + 15 - which would drop any shared entry left at a lower one.
        Assert.Equal(0, state.RemoveExpired(Now.AddSeconds(100 + threads - 1)));
        Assert.Equal(threads * perThread + sharedCount, state.Count);
        Assert.Equal(sharedCount, state.RemoveExpired(Now.AddSeconds(100 + threads)));
        Assert.Equal(threads * perThread, state.Count);
    }

    [Fact]
    public void Concurrent_SweepWhileReRevoking_NeverDropsTheRenewedEntry()
    {
        // The sweeper sees an entry as expired while a writer extends it: the extension must win.
        const int rounds = 50;
        const int ids = 2_000;
        for (var round = 0; round < rounds; round++)
        {
            var state = new RevocationState();
            var logins = Enumerable.Range(0, ids).Select(_ => NewLogin()).ToArray();
            foreach (var l in logins)
                state.Revoke(l, NowSeconds - 10);

            using var start = new Barrier(3);
            var writer = new Thread(() =>
            {
                start.SignalAndWait();
                foreach (var l in logins)
                    state.Revoke(l, NowSeconds + 3_600);
            });
            var sweeper1 = new Thread(() => { start.SignalAndWait(); state.RemoveExpired(Now); });
            var sweeper2 = new Thread(() => { start.SignalAndWait(); state.RemoveExpired(Now); });
            writer.Start(); sweeper1.Start(); sweeper2.Start();
            writer.Join(); sweeper1.Join(); sweeper2.Join();

            var lost = logins.Count(l => !state.IsRevoked(l));
            Assert.Equal(0, lost);
            Assert.Equal(ids, state.Count);
        }
    }

    [Fact]
    public void Concurrent_SweepersCountEachRemovalOnce()
    {
        var state = new RevocationState();
        for (var i = 0; i < 20_000; i++)
            state.Revoke(NewLogin(), NowSeconds - 1);

        var total = 0;
        using var start = new Barrier(8);
        var sweepers = Enumerable.Range(0, 8).Select(_ => new Thread(() =>
        {
            start.SignalAndWait();
            Interlocked.Add(ref total, state.RemoveExpired(Now));
        })).ToList();
        sweepers.ForEach(s => s.Start());
        sweepers.ForEach(s => s.Join());

        Assert.Equal(20_000, total);
        Assert.Equal(0, state.Count);
    }
}
