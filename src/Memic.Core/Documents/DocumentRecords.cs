namespace Memic.Core.Documents;

/// <summary>Whether a file type can be ingested here, with a reason for the customer when not.</summary>
/// <param name="MimeType">The type the file will be read as (what the file's record stores), when a reader matched.</param>
public sealed record FileTypeCheck(bool IsSupported, string? FormatName, string? Reason, string? MimeType = null);

/// <summary>
/// A file's text as the reader extracted it. Only the reader looks inside; the pipeline passes it from the parse
/// step to the chunk step and reads its size.
/// </summary>
public abstract record ParsedDocument(string Format, int PageCount, long CharacterCount);

/// <summary>One passage to embed and index.</summary>
/// <param name="ChunkIndex">0-based position in document order.</param>
/// <param name="PageNumber">The page the chunk starts on (the page search results cite).</param>
/// <param name="StartPage">First page the chunk's text comes from.</param>
/// <param name="EndPage">Last page the chunk's text comes from.</param>
/// <param name="TokenCount">Tokens in <paramref name="Text"/> by the embedder's tokenizer; never above the window.</param>
/// <param name="HeadingPath">Headings the chunk sits under, outermost first.</param>
/// <param name="Text">The passage.</param>
public sealed record DocumentChunk(
    int ChunkIndex,
    int PageNumber,
    int StartPage,
    int EndPage,
    int TokenCount,
    IReadOnlyList<string> HeadingPath,
    string Text);

/// <summary>
/// A file that cannot be ingested (corrupt, empty, no text, unsafe, over a limit). The message is written for the
/// customer: it becomes the file's <c>error_message</c> and never contains document text.
/// </summary>
public sealed class DocumentRejectedException : Exception
{
    public DocumentRejectedException()
        : this("The document could not be read.")
    {
    }

    public DocumentRejectedException(string message)
        : base(message)
    {
    }

    public DocumentRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
