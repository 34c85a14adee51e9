using System.Diagnostics;
using Memic.Core;
using Memic.Core.Files;
using Memic.Core.Ingestion;
using Memic.Core.Ports;
using Memic.Core.Tenancy;
using Memic.Embedded;
using Memic.Embedded.Embeddings;
using Memic.Ingestion;
using Memic.Ingestion.Extraction;
using Memic.TestDocuments;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Memic.Benchmarks;

/// <summary>
/// <c>ingestion</c>: a generated text PDF run through the real <see cref="FileIngestionPipeline"/> (blob → parse →
/// chunk → embed → index, with every status write) on the embedded default, against the baseline of the embedder
/// alone embedding the very same chunk texts in the same run. DESIGN's target: end to end within 1.3× of the embedder.
/// Each run ingests the file twice, parsed in the extraction worker (as the hosts do) and in this process, alternating
/// which goes first, to price the isolation (DESIGN: ≤ 10% of ingestion time).
/// </summary>
internal static class IngestionThroughput
{
    public static async Task<int> RunAsync(string[] args)
    {
        var pages = args.Length > 0 && int.TryParse(args[0], out var p) ? p : 40;
        var dataDirectory = Directory.CreateTempSubdirectory("memic-bench-ingest-").FullName;
        try
        {
            await using var services = Compose(dataDirectory);
            var environmentId = await CreateEnvironmentAsync(services);
            var pdf = PdfFixtures.TextPdf([.. Enumerable.Range(1, pages).Select(Page)]);
            var files = services.GetRequiredService<FileService>();
            var pipeline = services.GetRequiredService<FileIngestionPipeline>();
            var embedder = services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
            await embedder.GenerateAsync(["warm up the model"]);

            // The same pipeline reading in this process: what isolation is measured against (DESIGN: ≤ 10% of ingestion).
            var isolatedReader = services.GetRequiredService<IDocumentReader>();
            var inProcessReader = new IngestionDocumentReader(services.GetRequiredService<DocumentExtractorRegistry>());
            var inProcess = ActivatorUtilities.CreateInstance<FileIngestionPipeline>(services, inProcessReader);
            var modes = new (string Name, FileIngestionPipeline Pipeline, IDocumentReader Reader)[]
            {
                ("isolated", pipeline, isolatedReader),
                ("in-process", inProcess, inProcessReader),
            };

            Console.WriteLine($"{pages}-page text PDF ({pdf.Length / 1024} KB), {Environment.ProcessorCount} cores, model all-MiniLM-L6-v2");
            var totals = modes.ToDictionary(m => m.Name, _ => (EndToEnd: TimeSpan.Zero, Parse: TimeSpan.Zero));
            for (var run = 1; run <= 4; run++)
            {
                foreach (var (name, modePipeline, reader) in run % 2 == 0 ? modes.Reverse() : modes)
                {
                    using var content = new MemoryStream(pdf);
                    var file = await files.UploadAsync(environmentId, new FileDeclaration($"run-{run}-{name}.pdf", pdf.Length, "application/pdf", null, null, null), content, default);

                    var started = Stopwatch.GetTimestamp();
                    await modePipeline.RunAsync(environmentId, file.Id, default);
                    var endToEnd = Stopwatch.GetElapsedTime(started);

                    using var again = new MemoryStream(pdf);
                    started = Stopwatch.GetTimestamp();
                    await reader.ParseAsync(again, "application/pdf", "again.pdf", default);
                    var parse = Stopwatch.GetElapsedTime(started);

                    var ready = await files.GetAsync(environmentId, file.Id, default);
                    var chunks = await services.GetRequiredService<ISearchIndex>().GetFileChunksAsync(environmentId, file.Id, default);
                    started = Stopwatch.GetTimestamp();
                    foreach (var batch in chunks.Select(c => c.Content).Chunk(64))
                    {
                        await embedder.GenerateAsync(batch);
                    }

                    var embedOnly = Stopwatch.GetElapsedTime(started);
                    Console.WriteLine(
                        $"run {run} {name,-10}: {ready.Status}, {chunks.Count} chunks ({chunks.Average(c => c.TokenCount):F0} tokens avg); " +
                        $"end to end {endToEnd.TotalSeconds:F2} s = {pages / endToEnd.TotalSeconds:F1} pages/s; parse alone {parse.TotalMilliseconds:F0} ms; " +
                        $"embedder alone {embedOnly.TotalSeconds:F2} s; ratio {endToEnd / embedOnly:F2}×");
                    if (run > 1)
                    {
                        totals[name] = (totals[name].EndToEnd + endToEnd, totals[name].Parse + parse);
                    }
                }
            }

            var (isolated, local) = (totals["isolated"], totals["in-process"]);
            Console.WriteLine(
                $"warm runs 2-4: isolation costs {(isolated.Parse - local.Parse).TotalMilliseconds / 3:F0} ms per file in the parse alone, " +
                $"{(isolated.EndToEnd - local.EndToEnd).TotalMilliseconds / 3:F0} ms per file end to end = {(isolated.EndToEnd - local.EndToEnd) / local.EndToEnd:P1} of ingestion");
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private static ServiceProvider Compose(string dataDirectory)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Memic:DataDirectory"] = dataDirectory }).Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning))
            .AddMemicCore(configuration)
            .AddEmbeddedCatalogAndKeys(configuration)
            .AddInProcessProvisioning()
            .AddFileSystemBlobs()
            .AddEmbeddedSearchIndex()
            .AddMiniLmEmbeddings()
            .AddDocumentReading(configuration);
        // The benchmark drives the pipeline itself, so uploads are not queued anywhere.
        services.AddSingleton<IIngestionQueue, NoQueue>();
        return services.BuildServiceProvider();
    }

    private static async Task<Guid> CreateEnvironmentAsync(IServiceProvider services)
    {
        var catalog = services.GetRequiredService<ITenancyCatalog>();
        var now = DateTimeOffset.UtcNow;
        var organization = new Organization(Guid.NewGuid(), "Bench", now);
        await catalog.AddOrganizationAsync(organization, isDefault: true, default);
        await catalog.AddProjectAsync(new Project(Guid.NewGuid(), "Bench", organization.Id, true, now, now), isDefault: true, default);
        var created = await services.GetRequiredService<EnvironmentService>().CreateAsync("bench", null, null, default);
        return created.Environment.Id;
    }

    /// <summary>A page of about 350 words of plain prose, varied per page.</summary>
    private static TestPage Page(int number) => new($"Section {number}", [.. Enumerable.Range(0, 28).Select(line =>
        $"Line {line} of page {number}: operators inspect pump {number * 100 + line} weekly, record pressure and flow, and report leaks at once.")]);

    private sealed class NoQueue : IIngestionQueue
    {
        public ValueTask EnqueueAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public void Cancel(Guid fileId)
        {
        }
    }
}
