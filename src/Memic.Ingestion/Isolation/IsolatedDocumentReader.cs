using Memic.Core.Documents;
using Memic.Core.Ports;
using Memic.Ingestion.Extraction;
using Microsoft.Extensions.Logging;

namespace Memic.Ingestion.Isolation;

/// <summary>
/// Core's <see cref="IDocumentReader"/> with every untrusted file parsed in an extraction worker process (Memic.Extractor)
/// under a memory and a time limit (<see cref="ExtractionIsolationOptions"/>): no file can grow the host by more than a
/// copy buffer and the bounded text that comes back, or hold an ingestion run past the time limit.
/// </summary>
/// <remarks>
/// Chunking stays in the host: it needs the embedding model's tokenizer, which lives here, and it only reads the
/// extracted text, which the worker already capped at <see cref="ExtractionOptions.MaxExtractedCharacters"/> (and the
/// chunker is linear in it). Type checks stay here too: they read a name, not bytes.
/// </remarks>
public sealed class IsolatedDocumentReader : IDocumentReader, IDisposable
{
    private readonly DocumentExtractorRegistry _registry;
    private readonly ExtractionIsolationOptions _options;
    private readonly ExtractorWorkerPool _workers;

    /// <param name="registry">Answers type checks here; the worker runs the same registry.</param>
    /// <param name="options">The worker's limits.</param>
    /// <param name="ocrEnabled">Whether the worker may run tesseract (<c>Memic:Ocr:Enabled</c>).</param>
    /// <param name="time">Times the limit.</param>
    /// <param name="logger">Logs worker starts, kills and diagnostics.</param>
    public IsolatedDocumentReader(DocumentExtractorRegistry registry, ExtractionIsolationOptions options, bool ocrEnabled, TimeProvider time, ILogger<IsolatedDocumentReader> logger)
        : this(registry, new WorkerSettings(options, ocrEnabled), time, logger)
    {
    }

    internal IsolatedDocumentReader(DocumentExtractorRegistry registry, WorkerSettings settings, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _registry = registry;
        _options = settings.Options;
        var launch = ExtractorLaunch.Find(out var missing) ?? throw new InvalidOperationException(missing);
        _workers = new ExtractorWorkerPool(launch, settings, time, logger);
    }

    public FileTypeCheck CheckType(string? mimeType, string fileName) => IngestionDocumentReader.CheckType(_registry, mimeType, fileName);

    public async Task<ParsedDocument> ParseAsync(Stream content, string mimeType, string fileName, CancellationToken cancellationToken)
    {
        var worker = _workers.Rent();
        try
        {
            var reply = await worker.ExtractAsync(new ExtractionRequest(mimeType, fileName), content, cancellationToken);
            return reply.Outcome switch
            {
                ExtractionOutcome.Extracted when reply.Document is { } document => new IngestionDocumentReader.Extracted(document),
                ExtractionOutcome.Rejected => throw new DocumentRejectedException(reply.Message ?? "The document could not be read."),
                ExtractionOutcome.OutOfMemory => throw new DocumentRejectedException(_options.MemoryLimitMessage),
                _ => throw new DocumentRejectedException("The file could not be parsed: the parser failed on it."),
            };
        }
        catch (WorkerStoppedException stopped)
        {
            throw new DocumentRejectedException(stopped.Stop switch
            {
                WorkerStop.MemoryLimit => _options.MemoryLimitMessage,
                WorkerStop.TimeLimit => _options.TimeLimitMessage,
                WorkerStop.ReplyTooLarge => "The file yields more text than can be indexed.",
                _ => "The file could not be parsed: the parser stopped unexpectedly.",
            }, stopped);
        }
        finally
        {
            _workers.Return(worker);
        }
    }

    public IReadOnlyList<DocumentChunk> Chunk(ParsedDocument document, ITokenCounter tokens, int maxTokens, CancellationToken cancellationToken) =>
        IngestionDocumentReader.ChunkExtracted(document, tokens, maxTokens, cancellationToken);

    public void Dispose() => _workers.Dispose();
}
