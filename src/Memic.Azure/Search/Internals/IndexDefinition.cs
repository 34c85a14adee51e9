using System.Security.Cryptography;
using System.Text;
using Azure.Search.Documents.Indexes.Models;
using Memic.Core.Ports;

namespace Memic.Azure.Search.Internals;

/// <summary>The embedding model an index was built for: its fingerprint (read back from the index) and dimension.</summary>
internal sealed record IndexModel(string Fingerprint, int Dimensions)
{
    public static IndexModel Of(EmbeddingModelInfo model) => new(IndexDefinition.Fingerprint(model.ModelId), model.Dimensions);

    /// <summary>The model id when the fingerprint carries it, for messages.</summary>
    public string Describe() => IndexDefinition.ModelIdOf(Fingerprint) is { } id ? $"{id} ({Dimensions} dimensions)" : $"a model fingerprinted {Fingerprint} ({Dimensions} dimensions)";
}

/// <summary>
/// The index of one environment. An index definition has nowhere to put free text, so the model is recorded in the
/// name of the vector profile: <c>model-&lt;hex of the UTF-8 model id&gt;</c> (hex, because profile names allow only
/// letters, digits and dashes; the id read back is exact). Ids too long for a 128-character name are recorded as
/// <c>sha256-&lt;first 16 bytes&gt;</c>, which still tells models apart. The dimension is the vector field's own.
/// </summary>
internal static class IndexDefinition
{
    public const string Algorithm = "hnsw-cosine";

    /// <summary>The semantic ranker's view of a chunk: the file name as its title, the text, the heading path as keywords.</summary>
    public const string SemanticConfiguration = "memic-semantic";

    private const string ModelPrefix = "model-";
    private const string HashPrefix = "sha256-";
    private const int MaxProfileName = 128;

    /// <summary>One index per environment, named by its id in lower-case "D" form.</summary>
    public static string IndexName(Guid environmentId) => "env-" + environmentId.ToString("D");

    public static string Fingerprint(string modelId)
    {
        var bytes = Encoding.UTF8.GetBytes(modelId);
        var hex = Convert.ToHexStringLower(bytes);
        return ModelPrefix.Length + hex.Length <= MaxProfileName
            ? ModelPrefix + hex
            : HashPrefix + Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 16));
    }

    public static string? ModelIdOf(string fingerprint)
    {
        if (!fingerprint.StartsWith(ModelPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            return Encoding.UTF8.GetString(Convert.FromHexString(fingerprint.AsSpan(ModelPrefix.Length)));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The index of an environment; with <paramref name="semantic"/>, also the configuration semantic ranking asks for.</summary>
    public static SearchIndex Create(Guid environmentId, IndexModel model, bool semantic = false)
    {
        var index = Create(environmentId, model);
        if (semantic)
        {
            index.SemanticSearch = new SemanticSearch
            {
                Configurations =
                {
                    new SemanticConfiguration(SemanticConfiguration, new SemanticPrioritizedFields
                    {
                        TitleField = new SemanticField(ChunkFields.FileName),
                        ContentFields = { new SemanticField(ChunkFields.Content) },
                        KeywordsFields = { new SemanticField(ChunkFields.HeadingPath) },
                    }),
                },
            };
        }

        return index;
    }

    private static SearchIndex Create(Guid environmentId, IndexModel model) => new(IndexName(environmentId))
    {
        Fields =
        {
            new SimpleField(ChunkFields.Id, SearchFieldDataType.String) { IsKey = true, IsFilterable = true, IsSortable = true },
            new SimpleField(ChunkFields.FileId, SearchFieldDataType.String) { IsFilterable = true },
            new SimpleField(ChunkFields.FolderId, SearchFieldDataType.String) { IsFilterable = true },
            new SimpleField(ChunkFields.ChunkIndex, SearchFieldDataType.Int32) { IsFilterable = true, IsSortable = true },
            new SearchableField(ChunkFields.Content) { AnalyzerName = LexicalAnalyzerName.EnLucene },
            new SimpleField(ChunkFields.PageNumber, SearchFieldDataType.Int32) { IsFilterable = true, IsSortable = true },
            new SimpleField(ChunkFields.StartPage, SearchFieldDataType.Int32) { IsFilterable = true },
            new SimpleField(ChunkFields.EndPage, SearchFieldDataType.Int32) { IsFilterable = true },
            new SimpleField(ChunkFields.TokenCount, SearchFieldDataType.Int32),
            new SearchableField(ChunkFields.HeadingPath, collection: true) { AnalyzerName = LexicalAnalyzerName.EnLucene },
            new SearchableField(ChunkFields.FileName) { AnalyzerName = LexicalAnalyzerName.StandardLucene },
            new SimpleField(ChunkFields.MimeType, SearchFieldDataType.String) { IsFilterable = true },
            new SimpleField(ChunkFields.ReferenceId, SearchFieldDataType.String) { IsFilterable = true },
            new SimpleField(ChunkFields.Category, SearchFieldDataType.String) { IsFilterable = true },
            new SimpleField(ChunkFields.DocumentType, SearchFieldDataType.String) { IsFilterable = true },
            new SimpleField(ChunkFields.Metadata, SearchFieldDataType.Collection(SearchFieldDataType.String)) { IsFilterable = true },
            new VectorSearchField(ChunkFields.Vector, model.Dimensions, model.Fingerprint),
        },
        VectorSearch = new VectorSearch
        {
            Algorithms = { new HnswAlgorithmConfiguration(Algorithm) { Parameters = new HnswParameters { Metric = VectorSearchAlgorithmMetric.Cosine } } },
            Profiles = { new VectorSearchProfile(model.Fingerprint, Algorithm) },
        },
    };

    /// <summary>The model an existing index was built for, or null when it is not one of ours (no vector field of ours).</summary>
    public static IndexModel? ModelOf(SearchIndex index)
    {
        var vector = index.Fields.FirstOrDefault(f => string.Equals(f.Name, ChunkFields.Vector, StringComparison.Ordinal));
        return vector is { VectorSearchDimensions: { } dimensions, VectorSearchProfileName: { } profile }
            ? new IndexModel(profile, dimensions)
            : null;
    }
}
