using System.Net;
using System.Net.Http.Headers;

namespace Memic.Client.Internals;

/// <summary>
/// Streams a file's bytes and reports how many were sent. A seekable stream is rewound on each send, so a retried PUT
/// sends the whole file again (and progress starts again from zero).
/// </summary>
internal sealed class ProgressStreamContent : HttpContent
{
    private const int BufferSize = 81_920;
    private readonly Stream _source;
    private readonly long _start;
    private readonly long _length;
    private readonly IProgress<long>? _progress;

    public ProgressStreamContent(Stream source, long length, string mimeType, IProgress<long>? progress)
    {
        _source = source;
        _start = source.CanSeek ? source.Position : 0;
        _length = length;
        _progress = progress;
        Headers.ContentType = MediaTypeHeaderValue.Parse(mimeType);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        if (_source.CanSeek)
        {
            _source.Position = _start;
        }

        var buffer = new byte[BufferSize];
        long sent = 0;
        _progress?.Report(0);
        int read;
        while ((read = await _source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            sent += read;
            _progress?.Report(sent);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _length;
        return true;
    }
}
