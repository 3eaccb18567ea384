using System.Diagnostics;
using Tessera.Core.Passwords;

namespace Tessera.Core.Tests.Passwords;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PasswordTimingCollection
{
    public const string Name = "Credentials timing (runs alone)";
}

/// <summary>
/// A failed login must cost the same whether the user exists or not, and whatever is stored.
/// Medians of interleaved runs, with generous bounds (0.5x–2x) so a noisy 2-core machine does not flake.
/// </summary>
[Collection(PasswordTimingCollection.Name)]
public sealed class PasswordTimingTests
{
    private const int Iterations = 50_000;
    private const int Runs = 9;
    private static readonly DjangoPbkdf2Hasher Hasher = new(Iterations);
    private static readonly string Stored = Hasher.Hash("the real password");

    [Fact]
    public void Dummy_verify_costs_about_a_real_failed_verify()
    {
        var (real, dummy) = Compare(
            () => Hasher.Verify("a wrong guess", Stored),
            () => Hasher.VerifyDummy("a wrong guess"));
        AssertComparable(real, dummy);
    }

    [Fact]
    public void Unusable_and_malformed_rows_cost_about_a_real_failed_verify()
    {
        var (real, unusable) = Compare(
            () => Hasher.Verify("a wrong guess", Stored),
            () => Hasher.Verify("a wrong guess", "!" + Stored));
        AssertComparable(real, unusable);

        var (real2, absurd) = Compare(
            () => Hasher.Verify("a wrong guess", Stored),
            () => Hasher.Verify("a wrong guess", "pbkdf2_sha256$999999999$salt$AAAA"));
        AssertComparable(real2, absurd);
    }

    [Fact]
    public void Failed_verify_against_fewer_iterations_is_hardened()
    {
        // Django's harden_runtime: a quarter of the iterations still costs a full verify when wrong.
        var old = DjangoPbkdf2Hasher.Encode("the real password", "QwErTy1234567890abcdEF", Iterations / 4);
        var (real, weaker) = Compare(
            () => Hasher.Verify("a wrong guess", Stored),
            () => Hasher.Verify("a wrong guess", old));
        AssertComparable(real, weaker);
    }

    [Fact]
    public async Task Pool_unknown_user_costs_about_a_known_one()
    {
        // What a verification costs, not when the scheduler runs it: at low priority, a pool thread's
        // runs stretch with whatever else the machine does (other test assemblies), run by run.
        using var pool = new PasswordHashingPool(new PasswordHashingOptions { Iterations = Iterations, MaxConcurrency = 1, LowPriority = false });
        var (real, unknown) = Compare(
            () => pool.VerifyAsync("a wrong guess", Stored).GetAwaiter().GetResult(),
            () => pool.VerifyAsync("a wrong guess", null).GetAwaiter().GetResult());
        AssertComparable(real, unknown);
        Assert.Equal(PasswordVerification.Failed, await pool.VerifyAsync("the real password", null));
    }

    private static (double First, double Second) Compare(Action first, Action second)
    {
        first();
        second(); // warm up
        var a = new List<double>(Runs);
        var b = new List<double>(Runs);
        for (var i = 0; i < Runs; i++)
        {
            a.Add(Time(first));
            b.Add(Time(second));
        }

        return (Median(a), Median(b));
    }

    private static double Time(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }

    private static void AssertComparable(double reference, double measured)
    {
        var ratio = measured / reference;
        Assert.True(ratio is > 0.5 and < 2.0, $"reference {reference:F2} ms, measured {measured:F2} ms, ratio {ratio:F2}");
    }
}
