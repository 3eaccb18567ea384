using System.Diagnostics;
using System.Globalization;
using Tessera.Core.Passwords;

namespace Tessera.Benchmarks;

/// <summary>
/// The password hash's own rate: how many <see cref="DjangoPbkdf2Hasher.Verify"/> calls (what a
/// login runs) complete per second on N threads at a given iteration count, each thread verifying
/// the same stored hash in a loop for a few seconds. The load benchmark (bench/load/run.sh)
/// compares token-obtain throughput against it.
/// </summary>
/// <remarks>
/// Usage: <c>hashrate [--threads N[,M...]] [--seconds S] [--iterations I]</c>; the defaults are
/// the processor count, 5 s and 600,000. One line per thread count, meant to be read by a script:
/// <c>hashrate threads=2 iterations=600000 seconds=5.12 hashes=34 per_second=6.64</c>.
/// </remarks>
internal static class HashRate
{
    public static int Run(string[] args)
    {
        var threadCounts = new List<int> { Environment.ProcessorCount };
        var seconds = 5.0;
        var iterations = 600_000;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--threads" when value is not null:
                    threadCounts = [.. value.Split(',').Select(t => int.Parse(t, CultureInfo.InvariantCulture))];
                    i++;
                    break;
                case "--seconds" when value is not null:
                    seconds = double.Parse(value, CultureInfo.InvariantCulture);
                    i++;
                    break;
                case "--iterations" when value is not null:
                    iterations = int.Parse(value, CultureInfo.InvariantCulture);
                    i++;
                    break;
                default:
                    Console.Error.WriteLine($"hashrate: unknown or incomplete option '{args[i]}'; usage: hashrate [--threads N[,M...]] [--seconds S] [--iterations I]");
                    return 2;
            }
        }

        var hasher = new DjangoPbkdf2Hasher(iterations);
        const string password = "bench-Passw0rd-load";
        var stored = hasher.Hash(password); // also warms up the PBKDF2 path
        if (hasher.Verify(password, stored) != PasswordVerification.Success)
            throw new InvalidOperationException("the stored hash does not verify");

        foreach (var threads in threadCounts)
        {
            var (hashes, elapsed) = Measure(hasher, password, stored, threads, TimeSpan.FromSeconds(seconds));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"hashrate threads={threads} iterations={iterations} seconds={elapsed:F2} hashes={hashes} per_second={hashes / elapsed:F3}"));
        }
        return 0;
    }

    /// <summary>
    /// Every thread verifies until the deadline, finishing the hash it has started; the rate is the
    /// total count over the time until the last thread stopped, so no started work is left uncounted.
    /// </summary>
    private static (long Hashes, double Seconds) Measure(DjangoPbkdf2Hasher hasher, string password, string stored, int threads, TimeSpan duration)
    {
        var counts = new long[threads];
        using var start = new ManualResetEventSlim();
        var clock = new Stopwatch();
        var workers = new Thread[threads];
        for (var t = 0; t < threads; t++)
        {
            var index = t;
            workers[t] = new Thread(() =>
            {
                start.Wait();
                var n = 0L;
                while (clock.Elapsed < duration)
                {
                    _ = hasher.Verify(password, stored);
                    n++;
                }
                counts[index] = n;
            }) { IsBackground = true, Name = $"hashrate #{t + 1}" };
            workers[t].Start();
        }

        clock.Start();
        start.Set();
        foreach (var worker in workers)
            worker.Join();
        clock.Stop();
        return (counts.Sum(), clock.Elapsed.TotalSeconds);
    }
}
