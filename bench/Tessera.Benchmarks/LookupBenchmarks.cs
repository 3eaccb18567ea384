using System.Collections.Concurrent;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Tessera.Core.Admission;
using Tessera.Core.Revocation;
using Tessera.Core.Users;

namespace Tessera.Benchmarks;

/// <summary>
/// The per-request cost of asking memory, with 1,000,000 live revocations. Every benchmark cycles
/// through 65,536 probes spread at random over the table (not one key asked again and again, which
/// would keep its cache lines hot and flatter the figure), <see cref="Ops"/> per invocation; the
/// figures are per lookup. Each category has its own baseline measured in the same run, so the
/// Ratio column is what to compare across machines.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class LookupBenchmarks
{
    private const int Ops = 1024;
    private const int Probes = 1 << 16;
    private const int ProbeMask = Probes - 1;

    private RevocationState _state = null!;
    private RevocationState _emptyState = null!;
    private ConcurrentDictionary<string, long> _naive = null!;
    private LoginId[] _hits = null!;
    private LoginId[] _misses = null!;
    private string[] _hitStrings = null!;
    private string[] _missStrings = null!;
    private AdmissionGate _gate = null!;
    private AdmissionGate _gateWithoutRevocations = null!;
    private CredentialProof[] _proofs = null!;
    private int _cursor;

    // Each benchmark process builds the 1,000,000-entry state, then only what its benchmark asks.

    [GlobalSetup(Targets = [nameof(IsRevoked_Hit), nameof(IsRevoked_Miss), nameof(IsRevoked_Miss_EmptyState)])]
    public void SetupState() => Timed(() => SetupRevocations());

    [GlobalSetup(Targets = [nameof(StringDictionary_Hit), nameof(StringDictionary_Miss)])]
    public void SetupStringDictionary() => Timed(() =>
    {
        var revoked = SetupRevocations();
        _naive = new ConcurrentDictionary<string, long>();
        foreach (var id in revoked)
            _naive.AddOrUpdate(id.ToString(), Workload.ExpiresAtSeconds(id), (_, existing) => existing);
        // New string instances, as a request would parse them from a token: equality compares the
        // characters, never short-circuits on the reference.
        _hitStrings = Array.ConvertAll(_hits, id => id.ToString());
        _missStrings = Array.ConvertAll(_misses, id => id.ToString());
        if (_naive.Count != Workload.LiveRevocations || !_naive.ContainsKey(_hitStrings[0]) || _naive.ContainsKey(_missStrings[0]))
            throw new InvalidOperationException("the string-keyed baseline is not what the benchmark means to measure");
    });

    [GlobalSetup(Targets = [nameof(Admit_NoRevocations), nameof(Admit_1M_Revocations)])]
    public void SetupGate() => Timed(() =>
    {
        SetupRevocations();
        var random = new Random(7);
        var users = Workload.UserSnapshotsOf(random);
        _gate = new AdmissionGate(_state, users);
        _gateWithoutRevocations = new AdmissionGate(_emptyState, users);
        // A live (never revoked) login of a random existing, active user, as a JWT proves it.
        _proofs = new CredentialProof[Probes];
        for (var i = 0; i < Probes; i++)
        {
            var login = _misses[i];
            var userId = 1 + random.Next(Workload.Users);
            _proofs[i] = new CredentialProof(userId, "jwt", DateTimeOffset.UtcNow.AddMinutes(5), login, login.CreatedAtMs);
        }
        if (!Array.TrueForAll(_proofs, p => _gate.Admit(p).IsAdmitted))
            throw new InvalidOperationException("every probe should be admitted");
    });

    /// <summary>1,000,000 revoked logins in the state, and the hit and miss probes.</summary>
    private LoginId[] SetupRevocations()
    {
        var random = new Random(20_251_123);
        var revoked = Workload.DistinctLogins(Workload.LiveRevocations, () => Workload.SeededRecentLogin(random));
        _state = Workload.RevocationStateOf(revoked);
        _emptyState = new RevocationState();
        _hits = new LoginId[Probes];
        for (var i = 0; i < Probes; i++)
            _hits[i] = revoked[random.Next(revoked.Length)];
        _misses = new LoginId[Probes];
        for (var i = 0; i < Probes; i++)
        {
            do _misses[i] = Workload.SeededRecentLogin(random);
            while (_state.IsRevoked(_misses[i]));
        }
        if (_state.Count != Workload.LiveRevocations)
            throw new InvalidOperationException($"expected {Workload.LiveRevocations} live revocations, found {_state.Count}");
        return revoked;
    }

    private static void Timed(Action setup)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        setup();
        Console.WriteLine($"// GlobalSetup took {watch.Elapsed.TotalSeconds:F1} s");
    }

    // ---- hit: the login is revoked ----

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("1 hit")]
    public int StringDictionary_Hit() => CountNaive(_hitStrings);

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("1 hit")]
    public int IsRevoked_Hit() => Count(_state, _hits);

    // ---- miss: the login is live (the common case on every request) ----

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("2 miss")]
    public int StringDictionary_Miss() => CountNaive(_missStrings);

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("2 miss")]
    public int IsRevoked_Miss() => Count(_state, _misses);

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("2 miss")]
    public int IsRevoked_Miss_EmptyState() => Count(_emptyState, _misses);

    // ---- the whole gate: a live login of an existing, active user (100,000 users) ----

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("3 gate")]
    public int Admit_NoRevocations() => Admit(_gateWithoutRevocations);

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("3 gate")]
    public int Admit_1M_Revocations() => Admit(_gate);

    private int Count(RevocationState state, LoginId[] probes)
    {
        var found = 0;
        var i = _cursor;
        for (var n = 0; n < Ops; n++, i++)
            if (state.IsRevoked(probes[i & ProbeMask]))
                found++;
        _cursor = i;
        return found;
    }

    private int CountNaive(string[] probes)
    {
        var found = 0;
        var i = _cursor;
        for (var n = 0; n < Ops; n++, i++)
            if (_naive.ContainsKey(probes[i & ProbeMask]))
                found++;
        _cursor = i;
        return found;
    }

    private int Admit(AdmissionGate gate)
    {
        var admitted = 0;
        var i = _cursor;
        for (var n = 0; n < Ops; n++, i++)
            if (gate.Admit(_proofs[i & ProbeMask]).IsAdmitted)
                admitted++;
        _cursor = i;
        return admitted;
    }
}
