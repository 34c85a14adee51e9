using System.IO.Compression;
using System.Xml;

namespace Memic.Ingestion.Extraction.Internals;

/// <summary>
/// Screens an Office (ZIP) package before the OpenXML SDK touches it. First the central directory:
/// entry count, declared sizes and compression ratios. Then every entry is actually inflated through a
/// counting stream, because declared sizes can lie, and inflation stops the moment the real total passes
/// the cap. XML entries are read with a streaming reader on the way, to refuse element nesting deep enough
/// to overflow the SDK's recursive tree builder. Inflation is deterministic, so the SDK's own read
/// afterwards sees exactly the bytes screened here (and the runtime never inflates an entry past its
/// declared size).
/// </summary>
internal static class ZipPackageGuard
{
    private static readonly XmlReaderSettings ScreeningSettings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        CloseInput = false,
        IgnoreComments = true,
        IgnoreWhitespace = true,
    };

    public static void EnsureSafe(byte[] package, ExtractionOptions options, string formatName, CancellationToken cancellationToken)
    {
        if (package.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]))
        {
            // An OLE compound file: either a password-protected Office file or a legacy binary .doc/.xls/.ppt.
            throw new DocumentExtractionException(ExtractionFailureKind.Encrypted,
                $"The {formatName} file is password-protected or in the legacy binary Office format; save it as an unprotected {formatName} and upload it again.");
        }

        try
        {
            using var archive = new ZipArchive(new MemoryStream(package, writable: false), ZipArchiveMode.Read);
            var entries = archive.Entries;
            CheckDirectory(entries, options, formatName);

            var inflated = new InflationBudget(options.MaxPackageUncompressedBytes, formatName);
            foreach (var entry in entries)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var counted = new CountingStream(entry.Open(), inflated);
                CheckXmlDepth(counted, options.MaxXmlDepth, formatName);
                counted.CopyTo(Stream.Null);
            }
        }
        catch (InvalidDataException exception)
        {
            throw new DocumentExtractionException(ExtractionFailureKind.Corrupt,
                $"The file is not a valid {formatName} document: it is not a readable ZIP package.", exception);
        }
        catch (NotSupportedException exception)
        {
            throw new DocumentExtractionException(ExtractionFailureKind.Corrupt,
                $"The file is not a valid {formatName} document: its ZIP package uses an unsupported feature.", exception);
        }
    }

    private static void CheckDirectory(System.Collections.ObjectModel.ReadOnlyCollection<ZipArchiveEntry> entries, ExtractionOptions options, string formatName)
    {
        if (entries.Count > options.MaxPackageEntries)
        {
            throw Unsafe(formatName, $"it holds {entries.Count:N0} entries (limit {options.MaxPackageEntries:N0})");
        }

        long declaredTotal = 0;
        foreach (var entry in entries)
        {
            declaredTotal += entry.Length;
            if (declaredTotal > options.MaxPackageUncompressedBytes)
            {
                throw TooLarge(formatName, options.MaxPackageUncompressedBytes);
            }

            if (entry.Length > options.PackageRatioCheckThresholdBytes
                && (entry.CompressedLength == 0 || (double)entry.Length / entry.CompressedLength > options.MaxPackageCompressionRatio))
            {
                throw Unsafe(formatName, $"an entry is compressed more than {options.MaxPackageCompressionRatio:N0} times, like a decompression bomb");
            }
        }
    }

    /// <summary>Refuses XML nested deeper than the limit; entries that are not XML (images, broken parts) are left to the SDK.</summary>
    private static void CheckXmlDepth(Stream entry, int maxDepth, string formatName)
    {
        try
        {
            using var reader = XmlReader.Create(entry, ScreeningSettings);
            while (reader.Read())
            {
                if (reader.Depth > maxDepth)
                {
                    throw Unsafe(formatName, $"its XML is nested more than {maxDepth} levels deep");
                }
            }
        }
        catch (XmlException)
        {
            // Not XML, or malformed: the SDK reports it if it needs that part.
        }
    }

    private static DocumentExtractionException TooLarge(string formatName, long limit) =>
        Unsafe(formatName, $"it expands to more than {limit / (1024 * 1024)} MB");

    private static DocumentExtractionException Unsafe(string formatName, string reason) =>
        new(ExtractionFailureKind.UnsafePackage,
            $"The {formatName} file was refused as unsafe to open: {reason}.");

    /// <summary>The bytes all entries together may still inflate to.</summary>
    private sealed class InflationBudget(long limit, string formatName)
    {
        private long _used;

        public void Spend(int bytes)
        {
            _used += bytes;
            if (_used > limit)
            {
                throw TooLarge(formatName, limit);
            }
        }
    }

    /// <summary>A read-only pass-through that charges every inflated byte to the package's budget.</summary>
    private sealed class CountingStream(Stream inner, InflationBudget budget) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            budget.Spend(read);
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
