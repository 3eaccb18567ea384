using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Tessera.Core.Revocation;

namespace Tessera.Benchmarks;

/// <summary>
/// Retained memory of 1,000,000 live revocations: <see cref="RevocationState"/> (keyed by the
/// 16-byte <see cref="LoginId"/>) against the naive alternative, a
/// <c>ConcurrentDictionary&lt;string, long&gt;</c> keyed by the 28-character id. Both are filled the
/// same way (one AddOrUpdate per revocation, the table growing as it would in a server), in the
/// same process, alternately, several rounds; the median of the rounds is reported.
/// </summary>
internal static class MemoryBenchmark
{
    private const int Rounds = 3;

    public static void Run()
    {
        var count = Workload.LiveRevocations;
        Console.WriteLine($"Retained memory of {count:N0} live revocations (GC.GetTotalMemory(forceFullCollection: true) before/after)");
        Console.WriteLine($"Runtime {Environment.Version}, {Environment.ProcessorCount} cores, server GC {System.Runtime.GCSettings.IsServerGC}, {RuntimeInfoOs()}");

        // The ids exist before either measurement: only what the structure retains is counted.
        // Real ids, from LoginId.New (the CSPRNG), made at random instants of the last 7 days.
        var random = new Random(20_251_123);
        var made = Stopwatch.StartNew();
        var ids = Workload.DistinctLogins(count, () => Workload.RecentLogin(random));
        made.Stop();
        var expiries = Array.ConvertAll(ids, Workload.ExpiresAtSeconds);

        var ours = new List<double>();
        var naive = new List<double>();
        var oursTime = new List<double>();
        var naiveTime = new List<double>();
        int? buckets = null;
        for (var round = 0; round < Rounds; round++)
        {
            var (b1, t1, n) = MeasureRevocationState(ids, expiries);
            var (b2, t2) = MeasureStringDictionary(ids, expiries);
            ours.Add(b1);
            naive.Add(b2);
            oursTime.Add(t1);
            naiveTime.Add(t2);
            buckets ??= n;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  round {round + 1}: RevocationState {b1,6:F1} B/entry ({t1,4:F0} ms to fill)   ConcurrentDictionary<string,long> {b2,6:F1} B/entry ({t2,4:F0} ms to fill)"));
        }

        var m1 = Median(ours);
        var m2 = Median(naive);
        Console.WriteLine();
        Console.WriteLine("| Structure (1,000,000 live entries)                   | Bytes/entry | Total MiB | Ratio |");
        Console.WriteLine("|------------------------------------------------------|------------:|----------:|------:|");
        Console.WriteLine(Row("ConcurrentDictionary<string,long> (baseline, naive)", m2, count, 1.0));
        Console.WriteLine(Row("RevocationState (ConcurrentDictionary<LoginId,long>)", m1, count, m1 / m2));
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Fill time (median): RevocationState {Median(oursTime):F0} ms, string baseline {Median(naiveTime):F0} ms (includes formatting the id strings)."));
        if (buckets is { } b)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"RevocationState table: {b:N0} buckets x 8 B = {8.0 * b / count:F1} B/entry; the rest is one 56 B node per entry (16 B header + 16 B LoginId + 8 B expiry + 8 B next + 4 B hash, padded)."));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Making the {count:N0} ids with LoginId.New (CSPRNG) took {made.Elapsed.TotalSeconds:F1} s ({made.Elapsed.TotalMilliseconds * 1000 / count:F2} us per id, with a HashSet check)."));
        Console.WriteLine("The payload itself is 24 B/entry (16 B id + 8 B expiry); the naive key alone is an 80 B string object.");
    }

    private static (double BytesPerEntry, double Ms, int? Buckets) MeasureRevocationState(LoginId[] ids, long[] expiries)
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var watch = Stopwatch.StartNew();
        var state = new RevocationState();
        for (var i = 0; i < ids.Length; i++)
            state.Revoke(ids[i], expiries[i]);
        watch.Stop();
        var after = GC.GetTotalMemory(forceFullCollection: true);
        if (state.Count != ids.Length)
            throw new InvalidOperationException($"expected {ids.Length} entries, found {state.Count}");
        var buckets = BucketCount(state);
        GC.KeepAlive(state);
        return ((after - before) / (double)ids.Length, watch.Elapsed.TotalMilliseconds, buckets);
    }

    private static (double BytesPerEntry, double Ms) MeasureStringDictionary(LoginId[] ids, long[] expiries)
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var watch = Stopwatch.StartNew();
        var naive = new ConcurrentDictionary<string, long>();
        for (var i = 0; i < ids.Length; i++)
            naive.AddOrUpdate(ids[i].ToString(), expiries[i], (_, existing) => Math.Max(existing, expiries[i]));
        watch.Stop();
        var after = GC.GetTotalMemory(forceFullCollection: true);
        if (naive.Count != ids.Length)
            throw new InvalidOperationException($"expected {ids.Length} entries, found {naive.Count}");
        GC.KeepAlive(naive);
        return ((after - before) / (double)ids.Length, watch.Elapsed.TotalMilliseconds);
    }

    /// <summary>The bucket count of the state's table, to explain the figure; null if the BCL's private layout changed.</summary>
    private static int? BucketCount(RevocationState state)
    {
        const BindingFlags Private = BindingFlags.Instance | BindingFlags.NonPublic;
        try
        {
            var dictionary = typeof(RevocationState).GetField("_revoked", Private)?.GetValue(state);
            var tables = dictionary?.GetType().GetField("_tables", Private)?.GetValue(dictionary);
            var buckets = tables?.GetType().GetField("_buckets", Private)?.GetValue(tables) as ICollection;
            return buckets?.Count;
        }
        catch (FieldAccessException)
        {
            return null;
        }
    }

    private static string Row(string name, double bytesPerEntry, int count, double ratio)
        => string.Create(CultureInfo.InvariantCulture,
            $"| {name,-52} | {bytesPerEntry,11:F1} | {bytesPerEntry * count / (1024 * 1024),9:F1} | {ratio,5:F2} |");

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string RuntimeInfoOs() => System.Runtime.InteropServices.RuntimeInformation.OSDescription;
}
