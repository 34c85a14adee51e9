namespace Memic.Ingestion.Extraction;

/// <summary>Why a file's text could not be extracted; lets the pipeline pick the status and wording.</summary>
public enum ExtractionFailureKind
{
    /// <summary>No extractor reads this mime type or extension.</summary>
    UnsupportedType,

    /// <summary>The file has no bytes.</summary>
    Empty,

    /// <summary>The bytes are not a valid file of the claimed format.</summary>
    Corrupt,

    /// <summary>The file is password-protected.</summary>
    Encrypted,

    /// <summary>The file is valid but holds no text.</summary>
    NoText,

    /// <summary>A PDF without a text layer (a scan) and no OCR engine to read it.</summary>
    NoTextLayer,

    /// <summary>The format needs OCR and no OCR engine is configured.</summary>
    OcrNotConfigured,

    /// <summary>The OCR engine ran and failed.</summary>
    OcrFailed,

    /// <summary>The file is over a size, page or character limit.</summary>
    LimitExceeded,

    /// <summary>The package looks like a decompression bomb.</summary>
    UnsafePackage,
}

/// <summary>
/// The one exception extraction throws. <see cref="Exception.Message"/> is written for the customer
/// (it becomes the file's <c>error_message</c>) and never contains document text.
/// </summary>
public sealed class DocumentExtractionException : Exception
{
    public DocumentExtractionException()
        : this(ExtractionFailureKind.Corrupt, "The document could not be read.")
    {
    }

    public DocumentExtractionException(string message)
        : this(ExtractionFailureKind.Corrupt, message)
    {
    }

    public DocumentExtractionException(string message, Exception innerException)
        : this(ExtractionFailureKind.Corrupt, message, innerException)
    {
    }

    public DocumentExtractionException(ExtractionFailureKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    /// <summary>What went wrong.</summary>
    public ExtractionFailureKind Kind { get; }
}
