using System.IO.Compression;
using UglyToad.PdfPig.Filters;
using UglyToad.PdfPig.Tokens;

namespace Memic.Ingestion.Extraction.Pdf;

/// <summary>
/// PdfPig's stream filters with a cap on what one stream may decode to. PdfPig decodes each filter of a stream
/// fully into memory, so a 1 KB stream deflated twice becomes a gigabyte. Flate data is therefore inflated once
/// into a counter first, which stops at the cap without keeping anything; the other filters expand far less
/// per step (run-length at most 128×) and are checked on their output.
/// </summary>
internal sealed class BoundedFilterProvider(IFilterProvider inner, long maxDecodedBytes) : IFilterProvider
{
    public IReadOnlyList<IFilter> GetFilters(DictionaryToken dictionary) => Bound(inner.GetFilters(dictionary));

    public IReadOnlyList<IFilter> GetNamedFilters(IReadOnlyList<NameToken> names) => Bound(inner.GetNamedFilters(names));

    public IReadOnlyList<IFilter> GetAllFilters() => Bound(inner.GetAllFilters());

    private IFilter[] Bound(IReadOnlyList<IFilter> filters) => filters.Select(filter => (IFilter)new BoundedFilter(filter, maxDecodedBytes)).ToArray();

    private sealed class BoundedFilter(IFilter inner, long maxDecodedBytes) : IFilter
    {
        public bool IsSupported => inner.IsSupported;

        public Memory<byte> Decode(Memory<byte> input, DictionaryToken streamDictionary, IFilterProvider filterProvider, int filterIndex)
        {
            if (inner is FlateFilter && InflatesPast(input, maxDecodedBytes))
            {
                throw TooLarge(maxDecodedBytes);
            }

            var output = inner.Decode(input, streamDictionary, filterProvider, filterIndex);
            return output.Length > maxDecodedBytes ? throw TooLarge(maxDecodedBytes) : output;
        }

        /// <summary>Inflates into a counter, as PdfPig does (past the two-byte zlib header), stopping at the cap.</summary>
        private static bool InflatesPast(Memory<byte> input, long limit)
        {
            if (input.Length < 2)
            {
                return false;
            }

            var buffer = new byte[64 * 1024];
            long total = 0;
            try
            {
                using var inflater = new DeflateStream(new ReadOnlyMemoryStream(input[2..]), CompressionMode.Decompress);
                int read;
                while ((read = inflater.Read(buffer)) > 0)
                {
                    total += read;
                    if (total > limit)
                    {
                        return true;
                    }
                }
            }
            catch (InvalidDataException)
            {
                // Damaged data stops inflating where it breaks, for PdfPig as for this count.
            }

            return false;
        }

        private static DocumentExtractionException TooLarge(long limit) =>
            new(ExtractionFailureKind.LimitExceeded,
                $"A stream in the PDF decodes to more than {limit / (1024 * 1024):N0} MB, the extraction limit.");
    }

    /// <summary>A read-only stream over memory, without copying it.</summary>
    private sealed class ReadOnlyMemoryStream(Memory<byte> memory) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => memory.Length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var count = Math.Min(buffer.Length, memory.Length - _position);
            memory.Span.Slice(_position, count).CopyTo(buffer);
            _position += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
