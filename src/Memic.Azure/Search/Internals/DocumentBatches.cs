using System.Text.Json;

namespace Memic.Azure.Search.Internals;

/// <summary>
/// Splits documents into index requests within the service's limits: at most 1,000 actions and 16 MB of payload per
/// request. Sizes are measured by serialising each document as the SDK will (System.Text.Json, default options, which
/// escape non-ASCII, so the count is not optimistic), plus a margin per action for its <c>@search.action</c>.
/// </summary>
internal static class DocumentBatches
{
    public const int MaxDocuments = 1_000;

    /// <summary>16 MB read as decimal megabytes, the smaller reading, less room for the request's envelope.</summary>
    public const long MaxBytes = 16_000_000 - 16_384;

    private const int ActionOverhead = 64;

    public static IEnumerable<IReadOnlyList<T>> Split<T>(IReadOnlyList<T> documents, Func<T, long> sizeOf, int maxDocuments = MaxDocuments, long maxBytes = MaxBytes)
    {
        var batch = new List<T>();
        long bytes = 0;
        foreach (var document in documents)
        {
            var size = sizeOf(document) + ActionOverhead;
            if (size > maxBytes)
            {
                throw new ArgumentException($"A document of {size} bytes exceeds the {maxBytes}-byte limit of one index request.", nameof(documents));
            }

            if (batch.Count == maxDocuments || bytes + size > maxBytes)
            {
                yield return batch;
                batch = [];
                bytes = 0;
            }

            batch.Add(document);
            bytes += size;
        }

        if (batch.Count > 0)
        {
            yield return batch;
        }
    }

    public static long JsonSize<T>(T document) => JsonSerializer.SerializeToUtf8Bytes(document).LongLength;
}
