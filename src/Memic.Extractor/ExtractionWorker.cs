using System.Globalization;
using System.Runtime;
using Memic.Ingestion.Extraction;
using Memic.Ingestion.Extraction.Ocr;
using Memic.Ingestion.Isolation;

namespace Memic.Extractor;

/// <summary>
/// The extraction worker: reads requests from stdin, extracts each file with the <see cref="DocumentExtractorRegistry"/>
/// and writes the reply to stdout (framing in <see cref="ExtractorProtocol"/>), until the host closes stdin. The host
/// starts it with its heap hard limit and kills it past its memory or time budget; this side only has to answer or die.
/// Nothing but replies may reach stdout; diagnostics go to stderr, never document text.
/// </summary>
internal static class ExtractionWorker
{
    public static async Task<int> RunAsync(string[] args, Stream input, Stream output, TextWriter diagnostics)
    {
        var settings = WorkerArguments.Parse(args);
        OrphanWatch.Start();
        var registry = DocumentExtractorRegistry.CreateDefault(
            new ExtractionOptions { Timeout = settings.Timeout },
            settings.OcrEnabled ? null : NoOcrEngine.Instance);
        var hooks = TestHooks.FromEnvironment();

        while (await ExtractorProtocol.ReadRequestAsync(input, CancellationToken.None) is { } request)
        {
            var body = new BodyReadStream(input);
            var reply = await ExtractAsync(registry, hooks, request, body, diagnostics);
            await body.DrainAsync(CancellationToken.None);
            await ExtractorProtocol.WriteReplyAsync(output, reply, CancellationToken.None);
            if (reply.Outcome == ExtractionOutcome.OutOfMemory)
            {
                // A heap that hit its hard limit may have left any object half-built; the host starts a fresh worker.
                return 3;
            }

            reply = null;
            ReleaseMemoryIfLarge();
        }

        return 0;
    }

    /// <summary>
    /// After a large file, gives its memory back to the OS, so the host's view of this worker's size (which it kills on)
    /// starts near the baseline again. Not after every file: decommitting the heap makes the next file fault in fresh
    /// pages, which costs more than the parse of a typical file.
    /// </summary>
    private static void ReleaseMemoryIfLarge()
    {
        if (Environment.WorkingSet > GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4)
        {
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
    }

    private static async Task<ExtractionReply> ExtractAsync(
        DocumentExtractorRegistry registry, TestHooks hooks, ExtractionRequest request, Stream body, TextWriter diagnostics)
    {
        try
        {
            var document = hooks.Handles(request.MimeType)
                ? await TestHooks.RunAsync(request.MimeType, body)
                : await registry.ExtractAsync(body, request.MimeType, request.FileName, CancellationToken.None);
            return new ExtractionReply(ExtractionOutcome.Extracted, document);
        }
        catch (DocumentExtractionException rejected)
        {
            return new ExtractionReply(ExtractionOutcome.Rejected, Kind: rejected.Kind, Message: rejected.Message);
        }
        catch (OutOfMemoryException)
        {
            return new ExtractionReply(ExtractionOutcome.OutOfMemory);
        }
        catch (Exception unexpected) when (unexpected is not EndOfStreamException and not InvalidDataException)
        {
            // Type and stack only: a library's message may quote the document.
            await diagnostics.WriteLineAsync($"Extraction failed with {unexpected.GetType().FullName}:{Environment.NewLine}{unexpected.StackTrace}");
            return new ExtractionReply(ExtractionOutcome.Failed, Message: unexpected.GetType().Name);
        }
    }
}

/// <summary>What the host passes on the command line: the same for every file this worker reads.</summary>
internal sealed record WorkerArguments(TimeSpan Timeout, bool OcrEnabled)
{
    public const string TimeoutSwitch = "--timeout-ms";
    public const string NoOcrSwitch = "--no-ocr";

    public static WorkerArguments Parse(string[] args)
    {
        var timeout = ExtractionOptions.Default.Timeout;
        var ocr = true;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case TimeoutSwitch when i + 1 < args.Length:
                    timeout = TimeSpan.FromMilliseconds(long.Parse(args[++i], CultureInfo.InvariantCulture));
                    break;
                case NoOcrSwitch:
                    ocr = false;
                    break;
                default:
                    throw new ArgumentException($"Unknown argument '{args[i]}'.", nameof(args));
            }
        }

        return new WorkerArguments(timeout, ocr);
    }
}
