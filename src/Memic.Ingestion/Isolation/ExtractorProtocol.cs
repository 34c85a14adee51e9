using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Serialization;
using Memic.Ingestion.Extraction;

namespace Memic.Ingestion.Isolation;

/// <summary>One file to extract: what the registry needs to pick the extractor. The bytes follow as body frames.</summary>
internal sealed record ExtractionRequest(string MimeType, string FileName);

/// <summary>How an extraction in the worker ended.</summary>
internal enum ExtractionOutcome
{
    /// <summary><see cref="ExtractionReply.Document"/> holds the text.</summary>
    Extracted,

    /// <summary>The extractor refused the file; <see cref="ExtractionReply.Message"/> is written for the customer.</summary>
    Rejected,

    /// <summary>The worker's managed heap hit its hard limit; the worker exits after replying.</summary>
    OutOfMemory,

    /// <summary>The extractor threw something it should not have (a parser bug); the message names the exception type only.</summary>
    Failed,
}

/// <summary>The worker's answer to one <see cref="ExtractionRequest"/>.</summary>
internal sealed record ExtractionReply(ExtractionOutcome Outcome, ExtractedDocument? Document = null, ExtractionFailureKind? Kind = null, string? Message = null);

[JsonSourceGenerationOptions(IgnoreReadOnlyProperties = true, UseStringEnumConverter = true)]
[JsonSerializable(typeof(ExtractionRequest))]
[JsonSerializable(typeof(ExtractionReply))]
internal sealed partial class ExtractorJsonContext : JsonSerializerContext;

/// <summary>
/// The framing between the host and its extraction worker over the worker's stdin/stdout. Every frame is a 32-bit
/// little-endian length and that many bytes. A request is a header frame (<see cref="ExtractionRequest"/> as JSON),
/// then the file as body frames of at most <see cref="MaxBodyFrameBytes"/>, ended by an empty frame; the reply is one
/// frame (<see cref="ExtractionReply"/> as JSON). Streaming the body in frames lets the host copy a blob of any size
/// through one small buffer, and tells the worker where one file ends without closing the pipe, so a worker can serve
/// many files.
/// </summary>
internal static class ExtractorProtocol
{
    public const int MaxBodyFrameBytes = 64 * 1024;

    /// <summary>A request header is a mime type and a file name; anything longer is not ours.</summary>
    public const int MaxHeaderBytes = 64 * 1024;

    public static async Task WriteRequestAsync(Stream output, ExtractionRequest request, Stream content, CancellationToken cancellationToken)
    {
        await WriteFrameAsync(output, JsonSerializer.SerializeToUtf8Bytes(request, ExtractorJsonContext.Default.ExtractionRequest), cancellationToken);
        var buffer = new byte[MaxBodyFrameBytes];
        int read;
        while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await WriteFrameAsync(output, buffer.AsMemory(0, read), cancellationToken);
        }

        await WriteFrameAsync(output, ReadOnlyMemory<byte>.Empty, cancellationToken);
        await output.FlushAsync(cancellationToken);
    }

    /// <summary>The next request's header, or null when the host closed the pipe (the worker should exit).</summary>
    public static async Task<ExtractionRequest?> ReadRequestAsync(Stream input, CancellationToken cancellationToken)
    {
        if (await ReadLengthAsync(input, allowEnd: true, cancellationToken) is not { } length)
        {
            return null;
        }

        if (length > MaxHeaderBytes)
        {
            throw new InvalidDataException($"A request header of {length} bytes is over the {MaxHeaderBytes} byte limit.");
        }

        var header = new byte[length];
        await input.ReadExactlyAsync(header, cancellationToken);
        return JsonSerializer.Deserialize(header, ExtractorJsonContext.Default.ExtractionRequest)
            ?? throw new InvalidDataException("The request header is empty.");
    }

    public static async Task WriteReplyAsync(Stream output, ExtractionReply reply, CancellationToken cancellationToken)
    {
        await WriteFrameAsync(output, JsonSerializer.SerializeToUtf8Bytes(reply, ExtractorJsonContext.Default.ExtractionReply), cancellationToken);
        await output.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// Reads one reply, refusing one longer than <paramref name="maxBytes"/> before reading it, and parsing it straight
    /// from the pipe so the host never holds the reply's bytes and its text at once.
    /// </summary>
    /// <exception cref="EndOfStreamException">The worker closed its stdout (it died).</exception>
    /// <exception cref="ReplyTooLargeException">The reply declares more than <paramref name="maxBytes"/>.</exception>
    public static async Task<ExtractionReply> ReadReplyAsync(Stream input, long maxBytes, CancellationToken cancellationToken)
    {
        var length = await ReadLengthAsync(input, allowEnd: false, cancellationToken) ?? 0;
        if (length > maxBytes)
        {
            throw new ReplyTooLargeException(length);
        }

        var frame = new FrameReadStream(input, length);
        var reply = await JsonSerializer.DeserializeAsync(frame, ExtractorJsonContext.Default.ExtractionReply, cancellationToken)
            ?? throw new InvalidDataException("The worker replied with null.");
        if (frame.Remaining > 0)
        {
            throw new InvalidDataException("The worker's reply has trailing bytes.");
        }

        return reply;
    }

    private static async Task WriteFrameAsync(Stream output, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, payload.Length);
        await output.WriteAsync(length, cancellationToken);
        if (!payload.IsEmpty)
        {
            await output.WriteAsync(payload, cancellationToken);
        }
    }

    /// <summary>A frame's length; null at a clean end of stream between frames when <paramref name="allowEnd"/>.</summary>
    internal static async Task<int?> ReadLengthAsync(Stream input, bool allowEnd, CancellationToken cancellationToken)
    {
        var length = new byte[4];
        var read = await input.ReadAtLeastAsync(length, 4, throwOnEndOfStream: false, cancellationToken);
        if (read == 0 && allowEnd)
        {
            return null;
        }

        if (read < 4)
        {
            throw new EndOfStreamException("The pipe closed inside a frame header.");
        }

        var value = BinaryPrimitives.ReadInt32LittleEndian(length);
        return value >= 0 ? value : throw new InvalidDataException($"A frame declares a negative length ({value}).");
    }
}

/// <summary>The worker's reply declares more bytes than the host accepts.</summary>
internal sealed class ReplyTooLargeException(long length) : Exception($"The reply declares {length} bytes.")
{
    public long Length { get; } = length;
}

/// <summary>Exactly <paramref name="length"/> bytes of the underlying stream, then end of stream.</summary>
internal sealed class FrameReadStream(Stream inner, long length) : Stream
{
    public long Remaining { get; private set; } = length;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (Remaining == 0 || buffer.IsEmpty)
        {
            return 0;
        }

        var read = inner.Read(buffer[..(int)Math.Min(buffer.Length, Remaining)]);
        return Advance(read);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Remaining == 0 || buffer.IsEmpty)
        {
            return 0;
        }

        var read = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, Remaining)], cancellationToken);
        return Advance(read);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Advance(int read)
    {
        if (read == 0)
        {
            throw new EndOfStreamException("The pipe closed inside a frame.");
        }

        Remaining -= read;
        return read;
    }
}

/// <summary>
/// The body of one request as a stream: the bytes of its body frames, ending at the empty frame. What an extractor
/// leaves unread is skipped by <see cref="DrainAsync"/>, so the next request starts on a frame boundary.
/// </summary>
internal sealed class BodyReadStream(Stream inner) : Stream
{
    private int _frameRemaining;
    private bool _ended;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (_frameRemaining == 0)
        {
            if (_ended)
            {
                return 0;
            }

            var length = await ExtractorProtocol.ReadLengthAsync(inner, allowEnd: false, cancellationToken) ?? 0;
            if (length > ExtractorProtocol.MaxBodyFrameBytes)
            {
                throw new InvalidDataException($"A body frame of {length} bytes is over the {ExtractorProtocol.MaxBodyFrameBytes} byte limit.");
            }

            _frameRemaining = length;
            _ended = length == 0;
        }

        var read = await inner.ReadAsync(buffer[..Math.Min(buffer.Length, _frameRemaining)], cancellationToken);
        if (read == 0)
        {
            throw new EndOfStreamException("The pipe closed inside a body frame.");
        }

        _frameRemaining -= read;
        return read;
    }

    /// <summary>Reads and discards the rest of the body.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[ExtractorProtocol.MaxBodyFrameBytes];
        while (await ReadAsync(buffer, cancellationToken) > 0)
        {
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
