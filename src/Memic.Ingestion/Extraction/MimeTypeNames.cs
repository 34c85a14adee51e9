namespace Memic.Ingestion.Extraction;

/// <summary>Normalizes mime types and file extensions so lookups compare like with like.</summary>
public static class MimeTypeNames
{
    /// <summary>Mime types that say nothing about the content, so the file extension decides.</summary>
    public static readonly IReadOnlyList<string> Generic =
        ["application/octet-stream", "binary/octet-stream", "application/x-download", "application/unknown", "text/plain"];

    /// <summary>Lower-cases a mime type and drops parameters ("text/html; charset=utf-8" → "text/html").</summary>
    public static string? Normalize(string? mimeType)
    {
        if (string.IsNullOrWhiteSpace(mimeType))
        {
            return null;
        }

        var semicolon = mimeType.IndexOf(';', StringComparison.Ordinal);
        var bare = (semicolon >= 0 ? mimeType[..semicolon] : mimeType).Trim().ToLowerInvariant();
        return bare.Length == 0 ? null : bare;
    }

    /// <summary>
    /// The lower-case extension with its dot, from a file name, a path or a bare extension ("pdf", ".PDF").
    /// A short name without a dot counts as a bare extension.
    /// </summary>
    public static string? ExtensionOf(string? fileNameOrExtension)
    {
        if (string.IsNullOrWhiteSpace(fileNameOrExtension))
        {
            return null;
        }

        var value = fileNameOrExtension.Trim();
        var extension = Path.GetExtension(value);
        if (string.IsNullOrEmpty(extension))
        {
            // A bare extension without a dot ("pdf"), but not a name without one ("README").
            return value.Contains('/', StringComparison.Ordinal) || value.Contains('\\', StringComparison.Ordinal) || value.Length > 8
                ? null
                : "." + value.ToLowerInvariant();
        }

        return extension.ToLowerInvariant();
    }
}
