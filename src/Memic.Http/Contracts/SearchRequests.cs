using System.ComponentModel.DataAnnotations;
using Memic.Core.Search;
using CoreSearchRequest = Memic.Core.Search.SearchRequest;

namespace Memic.Http.Contracts;

/// <summary>The body of <c>POST /search</c> (CONTRACT §6, §14). <c>project_id</c> is accepted and ignored.</summary>
public sealed record SearchRequest(
    [Required, StringLength(1000, MinimumLength = 1)] string Query,
    [Range(1, 50)] int TopK = 10,
    [Range(0.0, 1.0)] double MinScore = 0.7,
    bool IncludeMetadata = true,
    IReadOnlyList<Guid>? FileIds = null,
    SearchRoute? ForceRoute = null,
    string? ConnectorId = null,
    string? ProjectId = null,
    [StringLength(63)] string? EnvironmentSlug = null,
    MetadataFilters? MetadataFilters = null,
    SearchFilters? Filters = null)
{
    public CoreSearchRequest ToSearch() => new(Query, TopK, MinScore, SearchScope.Filter(FileIds, MetadataFilters, Filters), IncludeMetadata, ForceRoute, ConnectorIds.Parse(ConnectorId));
}

/// <summary>Filters on the chunks' own metadata; a single value and its list form are OR-ed together.</summary>
public sealed record MetadataFilters(
    [StringLength(255)] string? ReferenceId = null,
    IReadOnlyList<string>? ReferenceIds = null,
    [Range(1, int.MaxValue)] int? PageNumber = null,
    [Range(1, int.MaxValue)] IReadOnlyList<int>? PageNumbers = null,
    PageRangeFilter? PageRange = null,
    [StringLength(255)] string? Category = null,
    IReadOnlyList<string>? Categories = null,
    [StringLength(255)] string? DocumentType = null,
    IReadOnlyList<string>? DocumentTypes = null);

/// <summary>Inclusive page bounds; either may be left open.</summary>
public sealed record PageRangeFilter([Range(1, int.MaxValue)] int? Gte = null, [Range(1, int.MaxValue)] int? Lte = null);

/// <summary>Filters on the files: folders, types and exact custom-metadata matches.</summary>
public sealed record SearchFilters(
    IReadOnlyList<Guid>? FolderIds = null,
    IReadOnlyList<string>? MimeTypes = null,
    IReadOnlyDictionary<string, string>? Metadata = null);

/// <summary>What search and chat share: turning the wire's filters into an index filter, and echoing them back.</summary>
internal static class SearchScope
{
    public static IndexFilter Filter(IReadOnlyList<Guid>? fileIds, MetadataFilters? metadata, SearchFilters? filters) => new()
    {
        FileIds = NullIfEmpty(fileIds),
        FolderIds = NullIfEmpty(filters?.FolderIds),
        MimeTypes = NullIfEmpty(filters?.MimeTypes),
        ReferenceIds = NullIfEmpty(Union(metadata?.ReferenceId, metadata?.ReferenceIds)),
        PageNumbers = NullIfEmpty(Union(metadata?.PageNumber, metadata?.PageNumbers)),
        Pages = metadata?.PageRange is { } range && (range.Gte is not null || range.Lte is not null) ? new PageRange(range.Gte, range.Lte) : null,
        Categories = NullIfEmpty(Union(metadata?.Category, metadata?.Categories)),
        DocumentTypes = NullIfEmpty(Union(metadata?.DocumentType, metadata?.DocumentTypes)),
        Metadata = filters?.Metadata is { Count: > 0 } exact ? exact : null,
    };

    /// <summary>The filters as applied, in wire names, for <c>filters_applied</c>.</summary>
    public static Dictionary<string, object> Applied(IndexFilter filter)
    {
        var applied = new Dictionary<string, object>(StringComparer.Ordinal);
        AddIf(applied, "file_ids", filter.FileIds);
        AddIf(applied, "folder_ids", filter.FolderIds);
        AddIf(applied, "mime_types", filter.MimeTypes);
        AddIf(applied, "reference_ids", filter.ReferenceIds);
        AddIf(applied, "page_numbers", filter.PageNumbers);
        AddIf(applied, "categories", filter.Categories);
        AddIf(applied, "document_types", filter.DocumentTypes);
        AddIf(applied, "metadata", filter.Metadata);
        if (filter.Pages is { } pages)
        {
            applied["page_range"] = new Dictionary<string, int?> { ["gte"] = pages.From, ["lte"] = pages.To };
        }

        return applied;
    }

    private static List<string>? Union(string? single, IReadOnlyList<string>? many)
    {
        if (single is null && many is null)
        {
            return null;
        }

        var all = new List<string>(many ?? []);
        if (single is not null && !all.Contains(single))
        {
            all.Add(single);
        }

        return all;
    }

    private static List<int>? Union(int? single, IReadOnlyList<int>? many) =>
        single is null && many is null ? null : [.. (many ?? []).Concat(single is { } s ? [s] : []).Distinct()];

    private static IReadOnlyList<T>? NullIfEmpty<T>(IReadOnlyList<T>? values) => values is { Count: > 0 } ? values : null;

    private static void AddIf(Dictionary<string, object> applied, string name, object? value)
    {
        if (value is not null)
        {
            applied[name] = value;
        }
    }
}
