using System.Text;

namespace Memic.Ingestion.Extraction.Internals;

/// <summary>Turns the bytes of a text format into a string: BOM first, then strict UTF-8, then Latin-1.</summary>
internal static class TextDecoding
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string Decode(byte[] bytes, string formatName)
    {
        string text;
        if (bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            text = Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3);
        }
        else if (bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            text = Encoding.Unicode.GetString(bytes, 2, bytes.Length - 2);
        }
        else if (bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            text = Encoding.BigEndianUnicode.GetString(bytes, 2, bytes.Length - 2);
        }
        else
        {
            if (LooksBinary(bytes))
            {
                throw new DocumentExtractionException(ExtractionFailureKind.Corrupt,
                    $"The {formatName} file is not text: it contains binary data.");
            }

            try
            {
                text = StrictUtf8.GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                // Not UTF-8: legacy single-byte text. Latin-1 maps every byte, so nothing is lost or invented.
                text = Encoding.Latin1.GetString(bytes);
            }
        }

        return text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
    }

    // NUL bytes do not occur in UTF-8 or Latin-1 text; a few of them mean an executable, image or archive.
    private static bool LooksBinary(byte[] bytes)
    {
        var sample = bytes.AsSpan(0, Math.Min(bytes.Length, 8192));
        var nulls = sample.Count((byte)0);
        return nulls > 0 && nulls * 100 >= sample.Length;
    }
}
