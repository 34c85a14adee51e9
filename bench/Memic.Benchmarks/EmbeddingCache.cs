using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Memic.Embedded.Embeddings;

namespace Memic.Benchmarks;

/// <summary>
/// MiniLM embeddings kept on disk by the SHA-256 of their text, so re-runs of a quality benchmark only embed what
/// changed (embedding a few thousand chunks takes minutes on 2 shared cores). The vectors are the embedder's own:
/// a cache hit returns exactly what the embedder returned for that text before.
/// </summary>
internal sealed class EmbeddingCache(MiniLmEmbeddingGenerator embedder, string path)
{
    private readonly Dictionary<string, float[]> _vectors = Load(path);

    public async Task<float[][]> EmbedAsync(IReadOnlyList<string> texts)
    {
        var keys = texts.Select(Key).ToArray();
        var missing = keys.Select((k, i) => (k, i)).Where(x => !_vectors.ContainsKey(x.k)).DistinctBy(x => x.k).ToList();
        if (missing.Count > 0)
        {
            var embedded = await embedder.GenerateAsync(missing.Select(m => texts[m.i]).ToList());
            await using var file = new FileStream(path, FileMode.Append);
            for (var j = 0; j < missing.Count; j++)
            {
                var vector = embedded[j].Vector.ToArray();
                _vectors[missing[j].k] = vector;
                file.Write(Convert.FromHexString(missing[j].k));
                file.Write(MemoryMarshal.AsBytes(vector.AsSpan()));
            }
        }

        return [.. keys.Select(k => _vectors[k])];
    }

    private static string Key(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static Dictionary<string, float[]> Load(string path)
    {
        var vectors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return vectors;
        }

        var bytes = File.ReadAllBytes(path);
        const int record = 32 + MiniLmEmbeddingGenerator.Dimensions * sizeof(float);
        for (var offset = 0; offset + record <= bytes.Length; offset += record)
        {
            vectors[Convert.ToHexString(bytes, offset, 32)] = MemoryMarshal.Cast<byte, float>(bytes.AsSpan(offset + 32, record - 32)).ToArray();
        }

        return vectors;
    }
}
