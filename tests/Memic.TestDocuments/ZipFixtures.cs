using System.Buffers.Binary;
using System.IO.Compression;

namespace Memic.TestDocuments;

/// <summary>Hostile ZIP packages for the decompression-bomb defences.</summary>
public static class ZipFixtures
{
    /// <summary>A package whose one entry inflates from a few hundred KB to <paramref name="uncompressedBytes"/> of zeros.</summary>
    public static byte[] Bomb(string entryName, long uncompressedBytes)
    {
        using var stream = new MemoryStream();
        using (var archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = archive.CreateEntry(entryName, CompressionLevel.SmallestSize).Open();
            var zeros = new byte[1024 * 1024];
            for (long written = 0; written < uncompressedBytes; written += zeros.Length)
            {
                entry.Write(zeros, 0, (int)Math.Min(zeros.Length, uncompressedBytes - written));
            }
        }

        return stream.ToArray();
    }

    /// <summary>A package with many tiny entries.</summary>
    public static byte[] ManyEntries(int count)
    {
        using var stream = new MemoryStream();
        using (var archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            for (var index = 0; index < count; index++)
            {
                using var entry = archive.CreateEntry($"part{index}.xml", CompressionLevel.Fastest).Open();
                entry.WriteByte((byte)'x');
            }
        }

        return stream.ToArray();
    }

    /// <summary>
    /// Rewrites the declared uncompressed size of the first entry (local header and central directory) so
    /// the directory understates what the entry really inflates to.
    /// </summary>
    public static byte[] UnderstateFirstEntrySize(byte[] zip, uint declaredSize)
    {
        var patched = (byte[])zip.Clone();
        // Local file header: signature PK\x03\x04, uncompressed size at offset 22.
        BinaryPrimitives.WriteUInt32LittleEndian(patched.AsSpan(22), declaredSize);
        var central = patched.AsSpan().IndexOf((ReadOnlySpan<byte>)[0x50, 0x4B, 0x01, 0x02]);
        // Central directory header: uncompressed size at offset 24.
        BinaryPrimitives.WriteUInt32LittleEndian(patched.AsSpan(central + 24), declaredSize);
        return patched;
    }
}
