using System.Diagnostics;
using System.Text;
using Memic.Core.Documents;
using Memic.Core.Ports;
using Memic.Ingestion.Extraction;
using Memic.Ingestion.Extraction.Ocr;
using Memic.Ingestion.Isolation;
using Memic.TestDocuments;
using Microsoft.Extensions.Logging.Abstractions;

namespace Memic.Extractor.Tests;

/// <summary>
/// The guarantee of extraction isolation: no input grows the host by more than the budget or holds it past the time
/// limit, the file fails with a reason naming the limit, and the next file parses. Hostile parsers are the worker's test
/// hooks (<see cref="TestHooks"/>), switched on only for these readers.
/// </summary>
public sealed class IsolatedExtractionTests : IDisposable
{
    private const int MemoryLimitMB = 256;
    private static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(8);

    private readonly IsolatedDocumentReader _reader = new(
        DocumentExtractorRegistry.CreateDefault(ocrEngine: NoOcrEngine.Instance),
        new WorkerSettings(
            new ExtractionIsolationOptions { MaxMemoryMB = MemoryLimitMB, Timeout = TimeLimit },
            OcrEnabled: false,
            new Dictionary<string, string> { [TestHooks.EnvironmentVariable] = "1" }),
        TimeProvider.System,
        NullLogger.Instance);

    public void Dispose() => _reader.Dispose();

    [Fact]
    public async Task A_pdf_is_parsed_in_the_worker_with_its_pages()
    {
        var pdf = PdfFixtures.TextPdf([new TestPage("Pumps", ["Pump 7 needs a new seal."]), new TestPage("Valves", ["Valve 3 leaks at night."])]);

        var document = await ParseAsync(pdf, "application/pdf", "manual.pdf");

        Assert.Equal("PDF", document.Format);
        Assert.Equal(2, document.PageCount);
        var chunks = _reader.Chunk(document, new WordCounter(), 200, TestContext.Current.CancellationToken);
        Assert.Contains(chunks, chunk => chunk.PageNumber == 2 && chunk.Text.Contains("Valve 3 leaks at night.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_file_the_extractor_refuses_fails_with_the_extractors_reason()
    {
        var failure = await Assert.ThrowsAsync<DocumentRejectedException>(() => ParseAsync("not a pdf"u8.ToArray(), "application/pdf", "broken.pdf"));

        Assert.Contains("PDF", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_larger_than_the_copy_buffer_streams_through_whole()
    {
        var text = string.Join(' ', Enumerable.Range(0, 60_000).Select(i => $"word{i}"));

        var document = await ParseAsync(Encoding.UTF8.GetBytes(text), "text/plain", "long.txt");

        Assert.Equal(text.Length, document.CharacterCount);
    }

    [Fact]
    public async Task A_worker_that_answered_serves_the_next_file_and_one_that_was_killed_does_not()
    {
        var before = WorkerProcessIds();
        await AssertNextFileParsesAsync();
        var first = Assert.Single(WorkerProcessIds().Except(before));

        await AssertNextFileParsesAsync();
        var reused = WorkerProcessIds().Except(before).ToList();
        await Assert.ThrowsAsync<DocumentRejectedException>(() => ParseAsync([1], TestHooks.Crash, "crash.bin"));
        await AssertNextFileParsesAsync();
        var replaced = WorkerProcessIds().Except(before).ToList();

        Assert.Equal([first], reused);
        Assert.DoesNotContain(first, replaced);
        Assert.Single(replaced);
    }

    [Fact]
    public async Task A_parser_allocating_without_bound_fails_at_the_memory_limit_and_the_host_stays_small()
    {
        var hostPeakBefore = ProcessMemory.OwnResidentBytes().Peak;

        var failure = await Assert.ThrowsAsync<DocumentRejectedException>(() => ParseAsync([1], TestHooks.AllocateManaged, "bomb.bin"));

        Assert.Equal($"The file could not be parsed within the memory limit ({MemoryLimitMB} MB).", failure.Message);
        AssertHostGrewLessThanBudget(hostPeakBefore);
        await AssertNextFileParsesAsync();
    }

    [Fact]
    public async Task A_shared_string_referenced_by_thousands_of_cells_fails_without_growing_the_host()
    {
        // ~0.9 MB of incompressible text (past the zip ratio check) that every cell of the sheet repeats: ~4.5 billion characters.
        var random = new Random(9);
        var shared = new string([.. Enumerable.Range(0, 900_000).Select(_ => (char)('a' + random.Next(26)))]);
        var rows = Enumerable.Range(0, 5_000).Select(_ => (IReadOnlyList<OfficeFixtures.XlsxCell?>)[new OfficeFixtures.SharedText(shared)]).ToList();
        var bomb = OfficeFixtures.Xlsx([new OfficeFixtures.TestSheet("Bomb", rows)]);
        var hostPeakBefore = ProcessMemory.OwnResidentBytes().Peak;

        var failure = await Assert.ThrowsAsync<DocumentRejectedException>(() =>
            ParseAsync(bomb, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "bomb.xlsx"));

        Assert.False(string.IsNullOrWhiteSpace(failure.Message));
        AssertHostGrewLessThanBudget(hostPeakBefore);
        await AssertNextFileParsesAsync();
    }

    [Fact]
    public async Task Native_memory_past_the_limit_gets_the_worker_killed()
    {
        var hostPeakBefore = ProcessMemory.OwnResidentBytes().Peak;

        var failure = await Assert.ThrowsAsync<DocumentRejectedException>(() => ParseAsync([1], TestHooks.AllocateNative, "native-bomb.bin"));

        Assert.Equal($"The file could not be parsed within the memory limit ({MemoryLimitMB} MB).", failure.Message);
        AssertHostGrewLessThanBudget(hostPeakBefore);
        await AssertNextFileParsesAsync();
    }

    [Fact]
    public async Task A_parser_that_spins_is_killed_at_the_time_limit()
    {
        var started = Stopwatch.StartNew();

        var failure = await Assert.ThrowsAsync<DocumentRejectedException>(() => ParseAsync([1], TestHooks.Spin, "spin.bin"));

        Assert.Equal("The file could not be parsed within the time limit (8 seconds).", failure.Message);
        Assert.InRange(started.Elapsed, TimeLimit, TimeLimit + TimeSpan.FromSeconds(5));
        await AssertNextFileParsesAsync();
    }

    [Fact]
    public async Task A_worker_that_crashes_fails_the_file_and_the_next_file_parses()
    {
        var failure = await Assert.ThrowsAsync<DocumentRejectedException>(() => ParseAsync([1], TestHooks.Crash, "crash.bin"));

        Assert.Equal("The file could not be parsed: the parser stopped unexpectedly.", failure.Message);
        await AssertNextFileParsesAsync();
    }

    [Fact]
    public async Task Cancelling_a_parse_kills_its_worker_tree()
    {
        using var cancellation = new CancellationTokenSource();
        var workersBefore = WorkerProcessIds();
        var parsing = ParseUntilAsync([1], TestHooks.Spin, "spin.bin", cancellation.Token);
        var worker = await WaitForAsync(() => WorkerProcessIds().Except(workersBefore).Cast<int?>().FirstOrDefault());

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => parsing);
        Assert.DoesNotContain(worker!.Value, WorkerProcessIds());
    }

    [Fact]
    public async Task Hooks_are_unknown_types_when_the_host_did_not_switch_them_on()
    {
        using var reader = new IsolatedDocumentReader(
            DocumentExtractorRegistry.CreateDefault(ocrEngine: NoOcrEngine.Instance),
            new ExtractionIsolationOptions { MaxMemoryMB = MemoryLimitMB, Timeout = TimeLimit },
            ocrEnabled: false,
            TimeProvider.System,
            NullLogger<IsolatedDocumentReader>.Instance);
        using var content = new MemoryStream([1]);

        var failure = await Assert.ThrowsAsync<DocumentRejectedException>(() =>
            reader.ParseAsync(content, TestHooks.AllocateManaged, "bomb", TestContext.Current.CancellationToken));

        Assert.StartsWith("Files of type", failure.Message, StringComparison.Ordinal);
    }

    private Task<ParsedDocument> ParseAsync(byte[] bytes, string mimeType, string fileName) =>
        ParseUntilAsync(bytes, mimeType, fileName, TestContext.Current.CancellationToken);

    private async Task<ParsedDocument> ParseUntilAsync(byte[] bytes, string mimeType, string fileName, CancellationToken cancellationToken)
    {
        using var content = new MemoryStream(bytes);
        return await _reader.ParseAsync(content, mimeType, fileName, cancellationToken);
    }

    private async Task AssertNextFileParsesAsync()
    {
        var document = await ParseAsync("The next file is fine."u8.ToArray(), "text/plain", "next.txt");
        Assert.Equal("TXT", document.Format);
    }

    /// <summary>The host's peak resident memory grew by less than the worker's budget: the growth happened elsewhere.</summary>
    private static void AssertHostGrewLessThanBudget(long peakBefore)
    {
        var grown = ProcessMemory.OwnResidentBytes().Peak - peakBefore;
        Assert.True(grown < MemoryLimitMB / 4 * 1024L * 1024L, $"The host's peak RSS grew by {grown / (1024 * 1024)} MB.");
    }

    private static HashSet<int> WorkerProcessIds() =>
        [.. Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => int.TryParse(name, out _))
            .Select(int.Parse!)
            .Where(pid => IsWorkerOfThisProcess(pid))];

    private static bool IsWorkerOfThisProcess(int pid)
    {
        try
        {
            var commandLine = File.ReadAllText($"/proc/{pid}/cmdline");
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
            return commandLine.Contains(ExtractorLaunch.AssemblyFileName, StringComparison.Ordinal) && parent == Environment.ProcessId;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static async Task<T> WaitForAsync<T>(Func<T?> probe)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (probe() is { } value)
            {
                return value;
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        throw new TimeoutException("The condition did not hold within 30 seconds.");
    }

    private sealed class WordCounter : ITokenCounter
    {
        public int CountTokens(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
    }
}
