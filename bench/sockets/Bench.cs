using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;

namespace SocketsBench;

/// <summary>
/// The run, in order: register the users; a warm-up (one more user's sockets opened, echoed and
/// revoked: the server's whole path jitted, its pools grown), then the server's memory; open every socket with a
/// bounded number of handshakes in flight, sampling the server's memory as they open; the memory
/// once they are all open; revoke users one at a time and time their sockets' close frames; one
/// echo on every socket left; close them.
/// </summary>
internal sealed class Bench(BenchOptions options)
{
    private static readonly TimeSpan EchoTimeout = TimeSpan.FromSeconds(20);

    private readonly Report _report = new(options);

    public async Task<Report> RunAsync()
    {
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = options.Url,
            Timeout = TimeSpan.FromSeconds(120),
        };
        // Every socket's handshake goes through one handler: a ClientWebSocket without one builds its own.
        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(10) });
        var wsUrl = new UriBuilder(options.Url) { Scheme = options.Url.Scheme == "https" ? "wss" : "ws", Path = "/ws/echo/" }.Uri;

        // One user more than measured: the warm-up's, revoked before anything is measured.
        var registered = await RegisterAsync(http, options.Users + 1).ConfigureAwait(false);
        var users = registered[..options.Users];
        await WarmUpAsync(http, registered[^1], wsUrl, invoker).ConfigureAwait(false);

        _report.RssBefore = await SettledRssAsync().ConfigureAwait(false);
        _report.ClientRssBefore = Environment.WorkingSet;
        Progress($"server VmRSS before: {_report.RssBefore / 1024.0 / 1024:F1} MiB; opening {options.Sockets} sockets");

        var sockets = Enumerable.Range(0, options.Sockets)
            .Select(i => new LiveSocket(i, users[i % options.Users])) // round-robin: each user's sockets spread over the opening
            .ToArray();
        var opened = await OpenAllAsync(sockets, wsUrl, invoker).ConfigureAwait(false);
        if (!opened)
        {
            foreach (var socket in sockets) socket.Abort();
            return _report;
        }

        _report.RssAfter = await SettledRssAsync().ConfigureAwait(false);
        _report.ClientRssAfter = Environment.WorkingSet;
        Progress($"all {sockets.Length} open; server VmRSS after: {_report.RssAfter / 1024.0 / 1024:F1} MiB");

        await RevokeAsync(http, users, sockets).ConfigureAwait(false);
        await EchoRemainingAsync(sockets).ConfigureAwait(false);
        _report.RssEnd = ServerMemory.Rss(options.ServerPid);

        Progress("closing the remaining sockets");
        await Bounded(sockets.Where(s => s.ClosedAt == 0), options.ConnectConcurrency * 4, s => s.CloseAsync()).ConfigureAwait(false);
        return _report;
    }

    /// <summary>Registers the users (their passwords hashed at the server's iteration count) for their access tokens.</summary>
    private async Task<BenchUser[]> RegisterAsync(HttpClient http, int count)
    {
        Progress($"registering {count} users");
        var run = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var started = Stopwatch.GetTimestamp();
        var users = new BenchUser[count];
        await Bounded(Enumerable.Range(0, count), Environment.ProcessorCount * 2, async i =>
        {
            var username = $"wsbench-{run}-{i}";
            var password = $"Ws-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12))}";
            using var response = await http.PostAsJsonAsync("/api/register/", new { username, password }).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.Created)
            {
                throw new InvalidOperationException(
                    $"POST /api/register/ answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync().ConfigureAwait(false)}");
            }
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync().ConfigureAwait(false));
            users[i] = new BenchUser(i, username, body.RootElement.GetProperty("access").GetString()!);
        }).ConfigureAwait(false);
        _report.SetupTime = Stopwatch.GetElapsedTime(started);
        return users;
    }

    /// <summary>
    /// The server's whole path once before it is measured (handshake, welcome, echo, revocation,
    /// close frames): the warm-up user's sockets opened and echoed, then the user revoked.
    /// </summary>
    private async Task WarmUpAsync(HttpClient http, BenchUser user, Uri wsUrl, HttpMessageInvoker invoker)
    {
        if (options.Warmup == 0) return;
        Progress($"warm-up: {options.Warmup} sockets of {user.Username} opened and echoed, then the user revoked");
        var warm = Enumerable.Range(0, options.Warmup).Select(i => new LiveSocket(-1 - i, user)).ToArray();
        await Bounded(warm, options.ConnectConcurrency, async s =>
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await s.OpenAsync(wsUrl, invoker, timeout.Token).ConfigureAwait(false);
            if (!await s.EchoAsync("warm-up", EchoTimeout).ConfigureAwait(false)) throw new InvalidDataException("warm-up echo differed");
        }).ConfigureAwait(false);
        _report.WarmupRevocation = await MeasureRevocationAsync(http, user, warm).ConfigureAwait(false);
    }

    /// <summary>Opens every socket, at most <see cref="BenchOptions.ConnectConcurrency"/> handshakes at once; stops at the first failures.</summary>
    private async Task<bool> OpenAllAsync(LiveSocket[] sockets, Uri wsUrl, HttpMessageInvoker invoker)
    {
        var open = 0;
        var failures = 0;
        using var stop = new CancellationTokenSource();
        var connectTimes = new double[sockets.Length];
        var started = Stopwatch.GetTimestamp();
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                _report.Samples.Add((Volatile.Read(ref open), ServerMemory.Rss(options.ServerPid)));
                try { await Task.Delay(250, sampling.Token).ConfigureAwait(false); }
                catch (OperationCanceledException) { break; }
            }
        });
        var nextProgress = sockets.Length / 10;
        await Bounded(sockets, options.ConnectConcurrency, async s =>
        {
            if (stop.IsCancellationRequested) return;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                timeout.CancelAfter(TimeSpan.FromSeconds(60));
                connectTimes[s.Id] = (await s.OpenAsync(wsUrl, invoker, timeout.Token).ConfigureAwait(false)).TotalMilliseconds;
                var now = Interlocked.Increment(ref open);
                if (nextProgress > 0 && now % nextProgress == 0) Progress($"{now} open");
            }
            catch (Exception e)
            {
                if (stop.IsCancellationRequested && e is OperationCanceledException) return; // stopped by the failures below
                var message = Describe(e);
                lock (_report.OpenFailures)
                {
                    _report.OpenFailures[message] = _report.OpenFailures.GetValueOrDefault(message) + 1;
                    _report.OpenBeforeFirstFailure ??= Volatile.Read(ref open);
                }
                // A few failures may be a blip; past that the server (or this machine) has said no.
                if (Interlocked.Increment(ref failures) >= 20) await stop.CancelAsync().ConfigureAwait(false);
            }
        }).ConfigureAwait(false);
        _report.OpenTime = Stopwatch.GetElapsedTime(started);
        await sampling.CancelAsync().ConfigureAwait(false);
        await sampler.ConfigureAwait(false);
        _report.Samples.Add((open, ServerMemory.Rss(options.ServerPid)));
        _report.Opened = open;
        _report.ConnectTimes = connectTimes.Where(t => t > 0).ToArray();
        if (open != sockets.Length) Progress($"only {open} of {sockets.Length} opened; see the report");
        return open == sockets.Length;
    }

    /// <summary>
    /// Revokes <see cref="BenchOptions.Revoke"/> users spread over the list, one at a time with
    /// POST /api/token/revoke-all/, and times each of their sockets' close frames from the moment
    /// the request was sent and from the moment its response came back.
    /// </summary>
    private async Task RevokeAsync(HttpClient http, BenchUser[] users, LiveSocket[] sockets)
    {
        var byUser = sockets.ToLookup(s => s.User.Index);
        var revoked = new HashSet<int>();
        for (var r = 0; r < options.Revoke; r++)
        {
            var user = users[(int)((long)r * options.Users / options.Revoke)];
            revoked.Add(user.Index);
            var revocation = await MeasureRevocationAsync(http, user, [.. byUser[user.Index]]).ConfigureAwait(false);
            revocation.OthersClosed = sockets.Count(s => s.ClosedAt != 0 && !revoked.Contains(s.User.Index));
            _report.Revocations.Add(revocation);
            Progress($"revoked {user.Username}: {revocation.Status} in {revocation.Response.TotalMilliseconds:F1} ms; " +
                $"{revocation.Closed}/{revocation.Sockets} closed{(revocation.InTime ? "" : " (timed out)")}, " +
                $"last after {(revocation.FromSent.Count > 0 ? revocation.FromSent.Max() : double.NaN):F1} ms; other sockets closed: {revocation.OthersClosed}");
        }
    }

    /// <summary>Revokes every login of <paramref name="user"/> and times the close frames of its sockets, <paramref name="own"/>.</summary>
    private async Task<Revocation> MeasureRevocationAsync(HttpClient http, BenchUser user, LiveSocket[] own)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/token/revoke-all/");
        request.Headers.Authorization = new("Bearer", user.Access);
        var sent = Stopwatch.GetTimestamp();
        using var response = await http.SendAsync(request).ConfigureAwait(false);
        var answered = Stopwatch.GetTimestamp();
        var closed = Task.WhenAll(own.Select(s => s.Closed));
        var inTime = await Task.WhenAny(closed, Task.Delay(options.CloseTimeout)).ConfigureAwait(false) == closed;
        // Anything else that closed in this revocation's wake shows in the caller's count after this.
        await Task.Delay(200).ConfigureAwait(false);
        var revocation = new Revocation(user.Username, (int)response.StatusCode, Stopwatch.GetElapsedTime(sent, answered), own.Length) { InTime = inTime };
        foreach (var s in own)
        {
            if (s.ClosedAt == 0) continue;
            revocation.Closed++;
            if (s.CloseStatus is { } status && (int)status == 4401 && s.CloseDescription == "token_revoked")
            {
                revocation.Right++;
            }
            else
            {
                var how = s.Fault is null ? $"{(int?)s.CloseStatus} {s.CloseDescription}" : $"dropped: {s.Fault}";
                revocation.Wrong[how] = revocation.Wrong.GetValueOrDefault(how) + 1;
            }
            revocation.FromSent.Add(Stopwatch.GetElapsedTime(sent, s.ClosedAt).TotalMilliseconds);
            revocation.FromAnswered.Add(Stopwatch.GetElapsedTime(answered, s.ClosedAt).TotalMilliseconds);
        }
        return revocation;
    }

    /// <summary>One round trip on every socket no revocation touched: each must still be open and echo.</summary>
    private async Task EchoRemainingAsync(LiveSocket[] sockets)
    {
        var revoked = _report.Revocations.Select(r => r.Username).ToHashSet();
        var remaining = sockets.Where(s => !revoked.Contains(s.User.Username)).ToArray();
        Progress($"echo on the {remaining.Length} remaining sockets");
        var echoed = 0;
        var started = Stopwatch.GetTimestamp();
        await Bounded(remaining, options.ConnectConcurrency * 4, async s =>
        {
            try
            {
                if (s.ClosedAt == 0 && await s.EchoAsync($"echo {s.Id}", EchoTimeout).ConfigureAwait(false)) Interlocked.Increment(ref echoed);
            }
            catch (Exception e) when (e is TimeoutException or System.Net.WebSockets.WebSocketException or ObjectDisposedException)
            {
                // Counted as not echoed.
            }
        }).ConfigureAwait(false);
        _report.EchoTime = Stopwatch.GetElapsedTime(started);
        _report.Remaining = remaining.Length;
        _report.Echoed = echoed;
    }

    /// <summary>The server's VmRSS once it has stopped moving: the median of three reads 1 s apart, after 2 s.</summary>
    private async Task<long> SettledRssAsync()
    {
        await Task.Delay(2000).ConfigureAwait(false);
        var reads = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            if (i > 0) await Task.Delay(1000).ConfigureAwait(false);
            reads.Add(ServerMemory.Rss(options.ServerPid));
        }
        reads.Sort();
        return reads[1];
    }

    private static async Task Bounded<T>(IEnumerable<T> items, int concurrency, Func<T, Task> action)
    {
        using var gate = new SemaphoreSlim(concurrency);
        var tasks = new List<Task>();
        foreach (var item in items)
        {
            await gate.WaitAsync().ConfigureAwait(false);
            tasks.Add(Run(item));
        }
        await Task.WhenAll(tasks).ConfigureAwait(false);

        async Task Run(T item)
        {
            try { await action(item).ConfigureAwait(false); }
            finally { gate.Release(); }
        }
    }

    /// <summary>An exception and its causes in one line: the innermost says what the kernel or the server said.</summary>
    private static string Describe(Exception e)
    {
        var parts = new List<string>();
        for (var x = e; x is not null; x = x.InnerException) parts.Add($"{x.GetType().Name}: {x.Message}");
        return string.Join(" <- ", parts);
    }

    private static void Progress(string message) =>
        Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {message}");
}
