using BenchmarkDotNet.Running;
using Memic.Benchmarks;

// Commands: `me-throughput`, `ingestion`, `calibrate`, `retrieval-quality`, `relevance-real`, `search-latency`, `startup`, `tenancy` (see docs/benchmarks.md);
// anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "me-throughput")
{
    return await MeThroughput.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "ingestion")
{
    return await IngestionThroughput.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "retrieval-quality")
{
    return await RetrievalQuality.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "relevance-real")
{
    return await RelevanceReal.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "search-latency")
{
    return await SearchLatency.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "startup")
{
    return await StartupAndMemory.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "tenancy")
{
    return await TenancyAtScale.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "calibrate")
{
    return await ScoreCalibration.RunAsync(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(KeyVerificationBenchmarks).Assembly).Run(args);
return 0;
