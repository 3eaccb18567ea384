using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using Tessera.Benchmarks;

// Usage: dotnet run -c Release --project bench/Tessera.Benchmarks -- [memory|lookup|all] [BenchmarkDotNet options]
//   memory  retained bytes per entry of 1,000,000 live revocations (plain process, a few seconds)
//   lookup  ns/op and allocations of IsRevoked (hit, miss) and AdmissionGate.Admit (BenchmarkDotNet)
//   validation  Tessera's TokenValidator against JsonWebTokenHandler, same token and key (BenchmarkDotNet)
//   pipeline  the server's request pipeline in process: ping, hello with and without a JWT, the refusals (BenchmarkDotNet)
//   allocations  bytes allocated per request of the same pipeline, by type (sampled by the runtime), not part of "all"
//   hashrate  password verifications per second on N threads (plain process; bench/load/run.sh reads it),
//             not part of "all": hashrate [--threads N[,M...]] [--seconds S] [--iterations I]
var verb = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "all";
var rest = args.Length > 0 && !args[0].StartsWith('-') ? args[1..] : args;

if (verb is "hashrate")
    return HashRate.Run(rest);

if (verb is "allocations")
{
    var pipeline = new PipelineBenchmarks();
    pipeline.Setup();
    try
    {
        pipeline.PrintAllocations();
    }
    finally
    {
        pipeline.Cleanup();
    }
    return 0;
}

if (verb is "pipeline")
    return RunShort<PipelineBenchmarks>(iterationMilliseconds: 250) ? 0 : 1;

if (verb is not ("memory" or "lookup" or "validation" or "all"))
{
    Console.Error.WriteLine($"unknown verb '{verb}': expected memory, lookup, validation, pipeline, allocations, hashrate or all");
    return 2;
}

if (verb is "memory" or "all")
    MemoryBenchmark.Run();

if (verb is ("lookup" or "all") && !RunShort<LookupBenchmarks>(iterationMilliseconds: 150))
    return 1;

// Tessera's token validation against JsonWebTokenHandler on the same token and key.
if (verb is ("validation" or "all") && !RunShort<ValidationBenchmarks>(iterationMilliseconds: 150))
    return 1;
return 0;

// One launch, few iterations: a run stays within a few minutes on 2 cores. Each benchmark still
// runs in its own process, after a pilot stage and warm-up. False when one failed.
bool RunShort<T>(int iterationMilliseconds)
{
    var job = Job.Default
        .WithLaunchCount(1)
        .WithWarmupCount(3)
        .WithIterationCount(15)
        .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(iterationMilliseconds))
        .WithId("Short15");
    var config = DefaultConfig.Instance
        .AddJob(job)
        .AddColumn(StatisticColumn.Median)
        .WithOptions(ConfigOptions.JoinSummary);
    var summary = BenchmarkRunner.Run<T>(config, rest);
    return !summary.HasCriticalValidationErrors && summary.Reports.All(r => r.Success);
}
