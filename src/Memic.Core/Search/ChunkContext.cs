namespace Memic.Core.Search;

/// <summary>
/// The text a chunk is embedded as: where it sits (file name and heading path) on one line, then the chunk itself.
/// A passage that says "Return the number of items" means little until it is known to sit under "collections /
/// Counter"; the stored and returned content stays the chunk alone. The full-text side already indexes the heading
/// path and file name as their own columns.
/// </summary>
public static class ChunkContext
{
    public static string ForEmbedding(string fileName, IReadOnlyList<string> headingPath, string text)
    {
        var path = string.Join(" / ", headingPath.Where(h => !string.IsNullOrWhiteSpace(h)));
        var context = path.Length == 0 ? fileName : $"{fileName}: {path}";
        return context.Length == 0 ? text : context + "\n" + text;
    }
}
