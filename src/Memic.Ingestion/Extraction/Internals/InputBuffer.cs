namespace Memic.Ingestion.Extraction.Internals;

/// <summary>Reads an input stream into memory under the size limit; parsers need random access anyway.</summary>
internal static class InputBuffer
{
    public static async Task<byte[]> ReadAllAsync(Stream content, ExtractionOptions options, string formatName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);

        if (content.CanSeek)
        {
            var remaining = content.Length - content.Position;
            if (remaining > options.MaxInputBytes)
            {
                throw TooLarge(options, formatName);
            }

            if (remaining == 0)
            {
                throw Empty(formatName);
            }

            // Known length: read straight into the final array instead of growing and copying a buffer.
            var exact = new byte[remaining];
            await content.ReadExactlyAsync(exact, cancellationToken);
            return exact;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await content.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > options.MaxInputBytes)
            {
                throw TooLarge(options, formatName);
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            throw Empty(formatName);
        }

        return buffer.ToArray();
    }

    private static DocumentExtractionException Empty(string formatName) =>
        new(ExtractionFailureKind.Empty, $"The {formatName} file is empty.");

    private static DocumentExtractionException TooLarge(ExtractionOptions options, string formatName) =>
        new(ExtractionFailureKind.LimitExceeded,
            $"The {formatName} file is larger than the {options.MaxInputBytes / (1024 * 1024)} MB extraction limit.");
}
