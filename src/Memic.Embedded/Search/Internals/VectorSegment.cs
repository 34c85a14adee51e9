using System.Text.Json;

namespace Memic.Embedded.Search.Internals;

/// <summary>What the vector-side filter needs of a chunk; metadata stays as its stored JSON so equal sets intern once.</summary>
internal readonly record struct ChunkAttributes(
    Guid FileId,
    Guid FolderId,
    string MimeType,
    string? ReferenceId,
    string? Category,
    string? DocumentType,
    int PageNumber,
    string MetadataJson);

/// <summary>
/// An immutable block of rows of the vector cache: SQLite row ids, int8 codes (one padded stride per row) with
/// their scales, and the filterable attributes as dictionary-encoded columns. Deletions are not recorded here but
/// in the <see cref="SegmentView"/> that holds it, so a write never copies the codes.
/// </summary>
internal sealed class VectorSegment
{
    public required int Count { get; init; }

    public required int Stride { get; init; }

    public required long[] RowIds { get; init; }

    public required sbyte[] Codes { get; init; }

    public required float[] Scales { get; init; }

    public required InternedColumn<Guid> Files { get; init; }

    public required InternedColumn<Guid> Folders { get; init; }

    public required InternedColumn<string> MimeTypes { get; init; }

    public required InternedColumn<string> ReferenceIds { get; init; }

    public required InternedColumn<string> Categories { get; init; }

    public required InternedColumn<string> DocumentTypes { get; init; }

    public required InternedColumn<int> Pages { get; init; }

    /// <summary>Distinct metadata JSON values, with <see cref="MetadataPairs"/> holding each one parsed.</summary>
    public required InternedColumn<string> Metadata { get; init; }

    public required IReadOnlyList<IReadOnlyDictionary<string, string>> MetadataPairs { get; init; }

    public ReadOnlySpan<sbyte> CodesOf(int row) => Codes.AsSpan(row * Stride, Stride);

    public ChunkAttributes AttributesOf(int row) => new(
        Files.ValueAt(row),
        Folders.ValueAt(row),
        MimeTypes.ValueAt(row)!,
        ReferenceIds.ValueAt(row),
        Categories.ValueAt(row),
        DocumentTypes.ValueAt(row),
        Pages.ValueAt(row),
        Metadata.ValueAt(row)!);
}

/// <summary>Fills a <see cref="VectorSegment"/> of at most <c>capacity</c> rows.</summary>
internal sealed class SegmentBuilder
{
    private readonly int _dimensions;
    private readonly int _stride;
    private readonly long[] _rowIds;
    private readonly sbyte[] _codes;
    private readonly float[] _scales;
    private readonly InternedColumnBuilder<Guid> _files;
    private readonly InternedColumnBuilder<Guid> _folders;
    private readonly InternedColumnBuilder<string> _mimeTypes;
    private readonly InternedColumnBuilder<string> _referenceIds;
    private readonly InternedColumnBuilder<string> _categories;
    private readonly InternedColumnBuilder<string> _documentTypes;
    private readonly InternedColumnBuilder<int> _pages;
    private readonly InternedColumnBuilder<string> _metadata;
    private readonly List<IReadOnlyDictionary<string, string>> _metadataPairs = [];

    public SegmentBuilder(int capacity, int dimensions)
    {
        _dimensions = dimensions;
        _stride = Int8Vectors.StrideOf(dimensions);
        _rowIds = new long[capacity];
        _codes = new sbyte[checked(capacity * _stride)];
        _scales = new float[capacity];
        _files = new(capacity);
        _folders = new(capacity);
        _mimeTypes = new(capacity);
        _referenceIds = new(capacity);
        _categories = new(capacity);
        _documentTypes = new(capacity);
        _pages = new(capacity);
        _metadata = new(capacity);
    }

    public int Count { get; private set; }

    /// <summary>Adds a row from its float vector, quantising it.</summary>
    public void Add(long rowId, ReadOnlySpan<float> vector, ChunkAttributes attributes)
    {
        if (vector.Length != _dimensions)
        {
            throw new ArgumentException($"A vector has {vector.Length} dimensions; the index has {_dimensions}.", nameof(vector));
        }

        _scales[Count] = Int8Vectors.QuantizeRow(vector, _codes.AsSpan(Count * _stride, _stride));
        AddRow(rowId, attributes);
    }

    /// <summary>Adds a row already quantised by another segment (merging).</summary>
    public void AddQuantized(long rowId, ReadOnlySpan<sbyte> codes, float scale, ChunkAttributes attributes)
    {
        codes.CopyTo(_codes.AsSpan(Count * _stride, _stride));
        _scales[Count] = scale;
        AddRow(rowId, attributes);
    }

    public VectorSegment Build() => new()
    {
        Count = Count,
        Stride = _stride,
        RowIds = Count == _rowIds.Length ? _rowIds : _rowIds[..Count],
        Codes = Count == _rowIds.Length ? _codes : _codes[..(Count * _stride)],
        Scales = Count == _rowIds.Length ? _scales : _scales[..Count],
        Files = _files.Build(Count),
        Folders = _folders.Build(Count),
        MimeTypes = _mimeTypes.Build(Count),
        ReferenceIds = _referenceIds.Build(Count),
        Categories = _categories.Build(Count),
        DocumentTypes = _documentTypes.Build(Count),
        Pages = _pages.Build(Count),
        Metadata = _metadata.Build(Count),
        MetadataPairs = _metadataPairs,
    };

    private void AddRow(long rowId, ChunkAttributes attributes)
    {
        var row = Count;
        _rowIds[row] = rowId;
        _files.Set(row, attributes.FileId);
        _folders.Set(row, attributes.FolderId);
        _mimeTypes.Set(row, attributes.MimeType);
        _referenceIds.Set(row, attributes.ReferenceId);
        _categories.Set(row, attributes.Category);
        _documentTypes.Set(row, attributes.DocumentType);
        _pages.Set(row, attributes.PageNumber);
        if (_metadata.Set(row, attributes.MetadataJson))
        {
            _metadataPairs.Add(JsonSerializer.Deserialize<Dictionary<string, string>>(attributes.MetadataJson) ?? []);
        }

        Count++;
    }
}
