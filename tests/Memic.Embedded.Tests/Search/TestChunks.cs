using Memic.Core.Ports;
using Memic.Core.Search;

namespace Memic.Embedded.Tests.Search;

/// <summary>Synthetic chunks and vectors: no embedding model, similarities known in advance.</summary>
internal static class TestChunks
{
    public static EmbeddingModelInfo Model(int dimensions = 8, string id = "test-model") => new(id, dimensions, 256);

    public static IndexedChunk Chunk(
        Guid fileId,
        int index,
        string content,
        float[] vector,
        Guid? folderId = null,
        string mimeType = "application/pdf",
        string? referenceId = null,
        string? category = null,
        string? documentType = null,
        int page = 1,
        IReadOnlyDictionary<string, string>? metadata = null,
        string fileName = "file.pdf",
        IReadOnlyList<string>? headingPath = null) =>
        new(
            ChunkId(fileId, index),
            fileId,
            folderId ?? Guid.Empty,
            index,
            content,
            page,
            page,
            page,
            content.Split(' ').Length,
            headingPath ?? [],
            fileName,
            mimeType,
            referenceId,
            category,
            documentType,
            metadata ?? new Dictionary<string, string>(),
            vector);

    /// <summary>Like the pipeline's ids: derived from file and position, so two environments can hold the same ones.</summary>
    public static Guid ChunkId(Guid fileId, int index)
    {
        var bytes = fileId.ToByteArray();
        var position = BitConverter.GetBytes(index);
        for (var i = 0; i < position.Length; i++)
        {
            bytes[12 + i] ^= position[i];
        }

        return new Guid(bytes);
    }

    /// <summary>The unit vector along <paramref name="axis"/>.</summary>
    public static float[] Axis(int dimensions, int axis)
    {
        var vector = new float[dimensions];
        vector[axis] = 1;
        return vector;
    }

    /// <summary>A unit vector whose cosine with <c>Axis(dimensions, 0)</c> is exactly <paramref name="cosine"/>.</summary>
    public static float[] WithCosine(int dimensions, double cosine, int otherAxis = 1)
    {
        var vector = new float[dimensions];
        vector[0] = (float)cosine;
        vector[otherAxis] = (float)Math.Sqrt(1 - (cosine * cosine));
        return vector;
    }

    public static float[] Random(Random random, int dimensions)
    {
        var vector = new float[dimensions];
        double norm = 0;
        for (var i = 0; i < dimensions; i++)
        {
            // Sum of uniforms: roughly Gaussian, so directions are spread evenly.
            vector[i] = (float)(random.NextDouble() + random.NextDouble() + random.NextDouble() - 1.5);
            norm += vector[i] * vector[i];
        }

        var length = (float)Math.Sqrt(norm);
        for (var i = 0; i < dimensions; i++)
        {
            vector[i] /= length;
        }

        return vector;
    }

    public static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }

        return dot / Math.Sqrt(na * nb);
    }

    public static IndexQuery Query(string text, float[]? vector, int candidates = 10, IndexFilter? filter = null) =>
        new(text, vector ?? ReadOnlyMemory<float>.Empty, filter ?? IndexFilter.None, candidates);
}
