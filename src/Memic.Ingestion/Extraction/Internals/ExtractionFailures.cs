namespace Memic.Ingestion.Extraction.Internals;

/// <summary>Converts whatever a parsing library throws into the one typed failure callers handle.</summary>
internal static class ExtractionFailures
{
    public static T Guard<T>(string formatName, Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (Exception exception) when (IsLibraryFailure(exception))
        {
            throw Corrupt(formatName, exception);
        }
    }

    // OutOfMemoryException is included on purpose: corrupt files make parsers allocate absurd array sizes,
    // which fails that one allocation and leaves the process healthy.
    public static bool IsLibraryFailure(Exception exception) =>
        exception is not (DocumentExtractionException or OperationCanceledException);

    public static DocumentExtractionException Corrupt(string formatName, Exception exception) =>
        new(ExtractionFailureKind.Corrupt, $"The file is not a valid {formatName} document, or it is damaged.", exception);
}
