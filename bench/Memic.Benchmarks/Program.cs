using BenchmarkDotNet.Running;
using Memic.Benchmarks;

// `me-throughput` drives a real server process over loopback, `calibrate` fits the score curve; anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "me-throughput")
{
    return await MeThroughput.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "ingestion")
{
    return await IngestionThroughput.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "calibrate")
{
    return await ScoreCalibration.RunAsync(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(KeyVerificationBenchmarks).Assembly).Run(args);
return 0;
