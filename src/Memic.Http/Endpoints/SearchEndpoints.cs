using System.Text.Json;
using Memic.Core.Errors;
using Memic.Core.Search;
using Memic.Http.Contracts;
using Memic.Http.RateLimiting;
using Memic.Http.Requests;
using Memic.Http.Routing;
using Microsoft.AspNetCore.Http;

namespace Memic.Http.Endpoints;

/// <summary><c>POST /search</c> (CONTRACT §6).</summary>
internal static class SearchEndpoints
{
    private static readonly Dictionary<string, SearchRoute> RouteNames = MemicJson.EnumValuesByWireName<SearchRoute>();

    public static IEnumerable<MemicRoute> Routes =>
    [
        new("Search", HttpMethods.Post, "/search", RouteAudience.DataPlane, RateLimitCategory.Search, SearchAsync),
    ];

    private static async Task<IResult> SearchAsync(MemicRequest request)
    {
        var body = await request.BodyAsync();
        var (search, applied) = ReadSearchRequest(body, request, maxTopK: 50);
        var environment = request.Environment;
        var outcome = await request.Service<SearchService>().SearchAsync(environment.Environment.Id, search, request.Aborted);
        var items = outcome.Hits.Select(h => SearchResultItem.From(h, environment.Project.Id, search.IncludeMetadata)).ToList();
        return Respond.Ok(new SearchResponse(
            search.Query, items.Count, Math.Round(outcome.ElapsedMilliseconds, 2), environment.Environment.Id, applied,
            new SearchResults(items, null), RoutingResponse.From(outcome.Routing)));
    }

    /// <summary>
    /// Reads the search fields shared by search and chat: query, limits, filters and routing. Returns the request and
    /// the filters as applied, in wire names, for <c>filters_applied</c>.
    /// </summary>
    internal static (SearchRequest Request, Dictionary<string, object> Applied) ReadSearchRequest(
        JsonBody body, MemicRequest request, int maxTopK, string queryField = "query", string? query = null)
    {
        query ??= body.ReadString(queryField, required: true, minLength: 1, maxLength: 1000);
        var topK = body.ReadInt("top_k", 1, maxTopK) ?? 10;
        var minScore = body.ReadDouble("min_score", 0, 1) ?? 0.7;
        var includeMetadata = body.ReadBool("include_metadata") ?? true;
        var fileIds = body.ReadUuidList("file_ids");
        var forceRoute = body.ReadString("force_route") is { } route
            ? RouteNames.TryGetValue(route, out var known) ? known : Invalid<SearchRoute>(body, "force_route", route)
            : (SearchRoute?)null;
        body.ReadString("connector_id");
        body.ReadString("project_id");
        var slug = body.ReadString("environment_slug", maxLength: 63);

        var metadataFilters = body.ReadNested("metadata_filters");
        var referenceIds = Union(metadataFilters?.ReadString("reference_id", maxLength: 255), metadataFilters?.ReadStringList("reference_ids"));
        var pageNumbers = Union(metadataFilters?.ReadInt("page_number", 1, int.MaxValue), metadataFilters?.ReadIntList("page_numbers", 1, int.MaxValue));
        var pageRange = metadataFilters?.ReadNested("page_range");
        var pagesFrom = pageRange?.ReadInt("gte", 1, int.MaxValue);
        var pagesTo = pageRange?.ReadInt("lte", 1, int.MaxValue);
        var categories = Union(metadataFilters?.ReadString("category", maxLength: 255), metadataFilters?.ReadStringList("categories"));
        var documentTypes = Union(metadataFilters?.ReadString("document_type", maxLength: 255), metadataFilters?.ReadStringList("document_types"));

        var filters = body.ReadNested("filters");
        var folderIds = filters?.ReadUuidList("folder_ids");
        var mimeTypes = filters?.ReadStringList("mime_types");
        var metadata = filters?.ReadScalarMap("metadata");
        body.ThrowIfInvalid();

        if (slug is not null && slug != request.Environment.Environment.Slug)
        {
            throw new ForbiddenException("environment_slug does not match the API key's environment.");
        }

        var filter = new IndexFilter
        {
            FileIds = NullIfEmpty(fileIds),
            FolderIds = NullIfEmpty(folderIds),
            MimeTypes = NullIfEmpty(mimeTypes),
            ReferenceIds = NullIfEmpty(referenceIds),
            PageNumbers = NullIfEmpty(pageNumbers),
            Pages = pagesFrom is null && pagesTo is null ? null : new PageRange(pagesFrom, pagesTo),
            Categories = NullIfEmpty(categories),
            DocumentTypes = NullIfEmpty(documentTypes),
            Metadata = metadata is { Count: > 0 } ? metadata : null,
        };

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

        return (new SearchRequest(query!, topK, minScore, filter, includeMetadata, forceRoute), applied);
    }

    private static T? Invalid<T>(JsonBody body, string field, string value)
        where T : struct
    {
        body.Reject(field, $"'{value}' is not one of: {string.Join(", ", RouteNames.Keys)}.", "enum");
        return null;
    }

    private static List<T>? Union<T>(T? single, IReadOnlyList<T>? many)
    {
        if (single is null && many is null)
        {
            return null;
        }

        var all = new List<T>(many ?? []);
        if (single is not null && !all.Contains(single))
        {
            all.Add(single);
        }

        return all;
    }

    private static List<T>? Union<T>(T? single, IReadOnlyList<T>? many)
        where T : struct =>
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
