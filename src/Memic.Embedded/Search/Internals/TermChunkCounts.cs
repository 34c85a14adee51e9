using System.Collections.Concurrent;

namespace Memic.Embedded.Search.Internals;

/// <summary>
/// How many chunks hold each query word's stem, at one generation of an environment's index. Counting walks the
/// word's whole posting list (fts5vocab), as costly for a common word as matching it, so a word seen since the last
/// write is not counted again. Bounded, so a stream of distinct words cannot grow it without end.
/// </summary>
internal sealed class TermChunkCounts(long generation)
{
    /// <summary>A few hundred KB at most per environment; a search box's vocabulary repeats far sooner.</summary>
    public const int MaxWords = 4_096;

    private const long NoStem = -1;

    private readonly ConcurrentDictionary<string, long> _chunks = new(StringComparer.Ordinal);

    public long Generation { get; } = generation;

    /// <summary>Whether <paramref name="word"/> was counted; <paramref name="chunks"/> is null when the tokenizer keeps no stem of it.</summary>
    public bool TryGet(string word, out long? chunks)
    {
        if (_chunks.TryGetValue(word, out var known))
        {
            chunks = known == NoStem ? null : known;
            return true;
        }

        chunks = null;
        return false;
    }

    public void Add(string word, long? chunks)
    {
        if (_chunks.Count < MaxWords)
        {
            _chunks.TryAdd(word, chunks ?? NoStem);
        }
    }
}
