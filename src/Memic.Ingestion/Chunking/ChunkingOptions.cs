namespace Memic.Ingestion.Chunking;

/// <summary>How large chunks may be and how much consecutive chunks of one section overlap, in model tokens.</summary>
public sealed record ChunkingOptions
{
    /// <summary>Smallest chunk size accepted; below it even a single long word would not fit.</summary>
    public const int MinimumMaxTokens = 16;

    /// <summary>
    /// Defaults for all-MiniLM-L6-v2's 256 word-piece window: 200 tokens per chunk (room for [CLS]/[SEP]
    /// and for an approximate counter's error) and 30 tokens of overlap.
    /// </summary>
    public static ChunkingOptions Default { get; } = new();

    /// <summary>Hard upper bound on a chunk's token count, as counted by the token counter.</summary>
    public int MaxTokensPerChunk { get; init; } = 200;

    /// <summary>
    /// Tokens of the previous chunk repeated at the start of the next one when a section is split, so a
    /// sentence cut by a boundary is still found with its context. Never carried across a heading or a page boundary.
    /// </summary>
    public int OverlapTokens { get; init; } = 30;

    /// <summary>
    /// Options for an embedder whose input window is <paramref name="modelMaxTokens"/> tokens including
    /// <paramref name="specialTokens"/> added by the model, with an exact token counter; overlap is 15%.
    /// </summary>
    public static ChunkingOptions ForModelWindow(int modelMaxTokens, int specialTokens = 2)
    {
        var maxTokens = modelMaxTokens - specialTokens;
        if (maxTokens < MinimumMaxTokens)
        {
            throw new ArgumentOutOfRangeException(nameof(modelMaxTokens), $"A model window of {modelMaxTokens} tokens is too small to chunk for.");
        }

        return new ChunkingOptions { MaxTokensPerChunk = maxTokens, OverlapTokens = maxTokens * 15 / 100 };
    }

    /// <summary>Throws when a value is out of range, naming the setting.</summary>
    public void Validate()
    {
        if (MaxTokensPerChunk < MinimumMaxTokens)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxTokensPerChunk), $"ChunkingOptions.MaxTokensPerChunk must be at least {MinimumMaxTokens}.");
        }

        if (OverlapTokens < 0 || OverlapTokens > MaxTokensPerChunk / 2)
        {
            throw new ArgumentOutOfRangeException(nameof(OverlapTokens), "ChunkingOptions.OverlapTokens must be between 0 and half of MaxTokensPerChunk.");
        }
    }
}
