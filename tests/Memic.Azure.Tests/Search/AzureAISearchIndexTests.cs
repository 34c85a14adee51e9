using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Memic.Core.Errors;
using Memic.Core.Search;
using static Memic.Azure.Tests.Search.SearchHarness;
using static Memic.Embedded.Tests.Search.TestChunks;

namespace Memic.Azure.Tests.Search;

/// <summary>The adapter's REST requests and its answers, against a fake Azure AI Search behind the SDK's transport.</summary>
public sealed class AzureAISearchIndexTests
{
    // Lifecycle

    [Fact]
    public async Task Create_places_the_environment_waits_for_budget_and_defines_env_index_with_every_field()
    {
        var search = new SearchHarness();
        var environment = Guid.NewGuid();

        await search.Index.CreateAsync(environment, Model(384, "all-MiniLM-L6-v2"), Ct);

        Assert.Equal(["Place", "WaitToCreate"], search.Locator.Calls);
        Assert.Equal([$"GET {IndexPath(environment)}", "POST /indexes"], search.Service.Requests.Select(r => r.Line));
        Assert.All(search.Service.Requests, r => Assert.Equal($"Bearer {FakeSearchService.Token}", r.Authorization));
        Assert.Contains(search.Credential.Scopes, s => s.SequenceEqual(["https://search.azure.com/.default"]));

        var definition = search.Service.Requests[1].JsonBody;
        Assert.Equal($"env-{environment:D}", definition.GetProperty("name").GetString());
        var fields = definition.GetProperty("fields").EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!);
        Assert.Equal(
            ["id", "file_id", "folder_id", "chunk_index", "content", "page_number", "start_page", "end_page", "token_count", "heading_path",
             "file_name", "mime_type", "reference_id", "category", "document_type", "metadata", "content_vector"],
            fields.Keys);
        Assert.True(fields["id"].GetProperty("key").GetBoolean());
        Assert.Equal("en.lucene", fields["content"].GetProperty("analyzer").GetString());
        Assert.True(fields["content"].GetProperty("searchable").GetBoolean());
        Assert.Equal("Collection(Edm.String)", fields["heading_path"].GetProperty("type").GetString());
        Assert.Equal("Collection(Edm.String)", fields["metadata"].GetProperty("type").GetString());
        foreach (var filterable in (string[])["file_id", "folder_id", "mime_type", "reference_id", "category", "document_type", "metadata", "page_number"])
        {
            Assert.True(fields[filterable].GetProperty("filterable").GetBoolean(), filterable);
        }

        Assert.True(fields["chunk_index"].GetProperty("sortable").GetBoolean());
        var vector = fields["content_vector"];
        Assert.Equal("Collection(Edm.Single)", vector.GetProperty("type").GetString());
        Assert.Equal(384, vector.GetProperty("dimensions").GetInt32());
        var profileName = "model-" + Convert.ToHexStringLower(Encoding.UTF8.GetBytes("all-MiniLM-L6-v2"));
        Assert.Equal(profileName, vector.GetProperty("vectorSearchProfile").GetString());

        var vectorSearch = definition.GetProperty("vectorSearch");
        var algorithm = Assert.Single(vectorSearch.GetProperty("algorithms").EnumerateArray());
        Assert.Equal("hnsw", algorithm.GetProperty("kind").GetString());
        Assert.Equal("cosine", algorithm.GetProperty("hnswParameters").GetProperty("metric").GetString());
        var profile = Assert.Single(vectorSearch.GetProperty("profiles").EnumerateArray());
        Assert.Equal(profileName, profile.GetProperty("name").GetString());
        Assert.Equal(algorithm.GetProperty("name").GetString(), profile.GetProperty("algorithm").GetString());
    }

    [Fact]
    public async Task Create_again_with_the_same_model_reads_the_index_and_creates_nothing()
    {
        var search = new SearchHarness();
        var environment = Guid.NewGuid();
        await search.Index.CreateAsync(environment, Model(8), Ct);
        search.Service.ClearRequests();

        // A fresh adapter (another instance) has no cached model and must read it back from the index.
        var other = new SearchHarnessOver(search);
        await other.Index.CreateAsync(environment, Model(8), Ct);

        Assert.Equal([$"GET {IndexPath(environment)}"], search.Service.Requests.Select(r => r.Line));
        Assert.Equal(["Place", "WaitToCreate", "Place"], search.Locator.Calls);
    }

    [Theory]
    [InlineData("other-model", 8, "other-model (8 dimensions)")]
    [InlineData("test-model", 16, "test-model (16 dimensions)")]
    public async Task Create_with_another_model_or_dimension_is_a_conflict_naming_both(string model, int dimensions, string named)
    {
        var search = new SearchHarness();
        var environment = Guid.NewGuid();
        await search.Index.CreateAsync(environment, Model(8), Ct);

        var error = await Assert.ThrowsAsync<ConflictException>(() => new SearchHarnessOver(search).Index.CreateAsync(environment, Model(dimensions, model), Ct));

        Assert.Equal(ErrorCodes.Conflict, error.Code);
        Assert.Contains("test-model (8 dimensions)", error.Message, StringComparison.Ordinal);
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_very_long_model_id_is_still_told_apart()
    {
        var search = new SearchHarness();
        var environment = Guid.NewGuid();
        var longId = "org/" + new string('m', 200);
        await search.Index.CreateAsync(environment, Model(8, longId), Ct);

        await new SearchHarnessOver(search).Index.CreateAsync(environment, Model(8, longId), Ct);
        await Assert.ThrowsAsync<ConflictException>(() => new SearchHarnessOver(search).Index.CreateAsync(environment, Model(8, longId + "x"), Ct));
        Assert.True(search.Service.Index($"env-{environment:D}")!["vectorSearch"]!["profiles"]![0]!["name"]!.GetValue<string>().Length <= 128);
    }

    [Theory]
    [InlineData(HttpStatusCode.Conflict)]
    [InlineData(HttpStatusCode.PreconditionFailed)]
    public async Task An_index_created_meanwhile_by_another_instance_is_accepted_when_it_fits(HttpStatusCode raced)
    {
        var search = new SearchHarness();
        var environment = Guid.NewGuid();
        var racer = new SearchHarnessOver(search);
        search.Service.Override = r =>
        {
            if (r.Line != "POST /indexes")
            {
                return null;
            }

            // The other instance wins the race, then our create is refused.
            search.Service.Override = _ => null;
            racer.Index.CreateAsync(environment, Model(8), Ct).GetAwaiter().GetResult();
            return FakeSearchService.Error(raced);
        };

        await search.Index.CreateAsync(environment, Model(8), Ct);

        Assert.Equal(
            [$"GET {IndexPath(environment)}", "POST /indexes", $"GET {IndexPath(environment)}", "POST /indexes", $"GET {IndexPath(environment)}"],
            search.Service.Requests.Select(r => r.Line));
        await Assert.ThrowsAsync<ConflictException>(() => new SearchHarnessOver(search).Index.CreateAsync(environment, Model(16), Ct));
    }

    [Fact]
    public async Task An_index_of_that_name_not_made_by_memic_is_a_conflict_not_reused()
    {
        var search = new SearchHarness();
        var environment = Guid.NewGuid();
        var foreign = new global::Azure.Search.Documents.Indexes.SearchIndexClient(search.Service.Endpoint, search.Credential, search.Service.ClientOptions());
        await foreign.CreateIndexAsync(
            new global::Azure.Search.Documents.Indexes.Models.SearchIndex($"env-{environment:D}")
            {
                Fields = { new global::Azure.Search.Documents.Indexes.Models.SimpleField("id", global::Azure.Search.Documents.Indexes.Models.SearchFieldDataType.String) { IsKey = true } },
            },
            Ct);

        var error = await Assert.ThrowsAsync<ConflictException>(() => search.Index.CreateAsync(environment, Model(8), Ct));

        Assert.Contains("not created by Memic", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("WaitToCreate", search.Locator.Calls);
    }

    [Fact]
    public async Task Delete_removes_the_index_then_releases_the_place_and_is_idempotent()
    {
        var search = new SearchHarness();
        var environment = await search.CreatedAsync();

        await search.Index.DeleteAsync(environment, Ct);
        await search.Index.DeleteAsync(environment, Ct);

        Assert.Null(search.Service.Index($"env-{environment:D}"));
        Assert.Equal([$"DELETE {IndexPath(environment)}"], search.Service.Requests.Select(r => r.Line));
        Assert.Equal(["Place", "WaitToCreate", "Find", "Release", "Find", "Release"], search.Locator.Calls);
    }

    [Fact]
    public async Task Deleting_an_index_the_service_no_longer_has_is_fine()
    {
        var search = new SearchHarness();
        var environment = Guid.NewGuid();
        search.Locator.Place(environment);

        await search.Index.DeleteAsync(environment, Ct);

        Assert.Equal([$"DELETE {IndexPath(environment)}"], search.Service.Requests.Select(r => r.Line));
        Assert.Equal(["Find", "Release"], search.Locator.Calls);
    }

    [Fact]
    public async Task An_environment_never_placed_reads_empty_without_calling_any_service_and_refuses_writes()
    {
        var search = new SearchHarness();
        var environment = Guid.NewGuid();
        var file = Guid.NewGuid();

        Assert.Empty(await search.Index.QueryAsync(environment, Query("anything", Axis(8, 0)), Ct));
        Assert.Equal(0, await search.Index.CountFileChunksAsync(environment, file, Ct));
        Assert.Empty(await search.Index.GetFileChunksAsync(environment, file, Ct));
        await search.Index.DeleteFileChunksAsync(environment, file, Ct);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            search.Index.ReplaceFileChunksAsync(environment, file, [Chunk(file, 0, "text", Axis(8, 0))], Ct));

        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
        Assert.Empty(search.Service.Requests);
    }

    [Fact]
    public async Task A_placed_environment_whose_index_is_missing_reads_empty_and_refuses_writes()
    {
        var search = new SearchHarness();
        var environment = Guid.NewGuid();
        var file = Guid.NewGuid();
        search.Locator.Place(environment);

        Assert.Empty(await search.Index.QueryAsync(environment, Query("anything", Axis(8, 0)), Ct));
        Assert.Equal(0, await search.Index.CountFileChunksAsync(environment, file, Ct));
        Assert.Empty(await search.Index.GetFileChunksAsync(environment, file, Ct));
        await search.Index.DeleteFileChunksAsync(environment, file, Ct);
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            search.Index.ReplaceFileChunksAsync(environment, file, [Chunk(file, 0, "text", Axis(8, 0))], Ct));

        Assert.All(search.Service.Requests, r => Assert.Equal($"GET {IndexPath(environment)}", r.Line));
    }

    [Fact]
    public async Task An_index_deleted_by_another_instance_reads_empty_instead_of_failing()
    {
        var search = new SearchHarness();
        var environment = await search.CreatedAsync();
        var file = Guid.NewGuid();
        await search.Index.ReplaceFileChunksAsync(environment, file, [Chunk(file, 0, "text", Axis(8, 0))], Ct);

        await new SearchHarnessOver(search).Index.DeleteAsync(environment, Ct);
        search.Locator.Place(environment);

        Assert.Empty(await search.Index.QueryAsync(environment, Query("text", Axis(8, 0)), Ct));
        Assert.Equal(0, await search.Index.CountFileChunksAsync(environment, file, Ct));
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            search.Index.ReplaceFileChunksAsync(environment, file, [Chunk(file, 0, "text", Axis(8, 0))], Ct));
    }

    // Writes

    [Fact]
    public async Task Chunks_round_trip_every_field_through_the_wire_in_chunk_order()
    {
        var search = new SearchHarness();
        var environment = await search.CreatedAsync();
        var file = Guid.NewGuid();
        var folder = Guid.NewGuid();
        var rich = Chunk(file, 1, "Ünïcödé text — with \"quotes\" and 'apostrophes'", [0.5f, -0.25f, 0.125f, 0, 0, 0, 0, 1e-7f], folder,
            "text/markdown", "ref-9", "policy", "memo", 7,
            new Dictionary<string, string> { ["team"] = "blue", ["emoji"] = "🙂", ["a=b"] = "c=d", ["100%"] = "Zürich" }, "notes.md", ["Part 1", "Scope"]);
        var plain = Chunk(file, 0, "first", Axis(8, 3));

        await search.Index.ReplaceFileChunksAsync(environment, file, [rich, plain], Ct);
        var stored = await search.Index.GetFileChunksAsync(environment, file, Ct);

        Assert.Equal([0, 1], stored.Select(c => c.ChunkIndex));
        var back = stored[1];
        Assert.Equal((rich.ChunkId, rich.FileId, rich.FolderId, rich.Content), (back.ChunkId, back.FileId, back.FolderId, back.Content));
        Assert.Equal((rich.PageNumber, rich.StartPage, rich.EndPage, rich.TokenCount), (back.PageNumber, back.StartPage, back.EndPage, back.TokenCount));
        Assert.Equal(rich.HeadingPath, back.HeadingPath);
        Assert.Equal((rich.FileName, rich.MimeType, rich.ReferenceId, rich.Category, rich.DocumentType), (back.FileName, back.MimeType, back.ReferenceId, back.Category, back.DocumentType));
        Assert.Equal(rich.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal), back.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal(rich.Vector.ToArray(), back.Vector.ToArray());
        Assert.Null(stored[0].ReferenceId);

        var upload = Assert.Single(search.Service.RequestsTo("/docs/search.index")).JsonBody.GetProperty("value").EnumerateArray().ToList();
        Assert.All(upload, d => Assert.Equal("upload", d.GetProperty("@search.action").GetString()));
        Assert.Equal(["100%25=Zürich", "a%3Db=c=d", "emoji=🙂", "team=blue"], upload[0].GetProperty("metadata").EnumerateArray().Select(e => e.GetString()));
        var list = search.Service.RequestsTo("/docs/search.post.search")[^1].JsonBody;
        Assert.Equal($"file_id eq '{file:D}'", list.GetProperty("filter").GetString());
        Assert.Equal("chunk_index asc,id asc", list.GetProperty("orderby").GetString());
    }

    [Fact]
    public async Task Replacing_lists_the_files_chunks_uploads_the_new_ones_then_deletes_only_the_stale_ones()
    {
        var search = new SearchHarness();
        var environment = await search.CreatedAsync();
        var file = Guid.NewGuid();
        var other = Guid.NewGuid();
        await search.Index.ReplaceFileChunksAsync(environment, other, [Chunk(other, 0, "other file", Axis(8, 0))], Ct);
        await search.Index.ReplaceFileChunksAsync(environment, file, [.. Enumerable.Range(0, 4).Select(i => Chunk(file, i, $"old {i}", Axis(8, i)))], Ct);
        await search.Index.ReplaceFileChunksAsync(environment, file, [.. Enumerable.Range(0, 4).Select(i => Chunk(file, i, $"old {i}", Axis(8, i)))], Ct);
        search.Service.ClearRequests();

        await search.Index.ReplaceFileChunksAsync(environment, file, [Chunk(file, 0, "new text", Axis(8, 5))], Ct);

        var path = IndexPath(environment);
        Assert.Equal(
            [$"GET {path}".Replace("GET", "POST", StringComparison.Ordinal) + "/docs/search.post.search", $"POST {path}/docs/search.index", $"POST {path}/docs/search.index"],
            search.Service.Requests.Select(r => r.Line));
        var deleted = search.Service.Requests[2].JsonBody.GetProperty("value").EnumerateArray().ToList();
        Assert.All(deleted, d => Assert.Equal("delete", d.GetProperty("@search.action").GetString()));
        Assert.Equal(Enumerable.Range(1, 3).Select(i => ChunkId(file, i).ToString("D")).Order(), deleted.Select(d => d.GetProperty("id").GetString()!).Order());
        Assert.Equal(1, await search.Index.CountFileChunksAsync(environment, file, Ct));
        Assert.Equal(1, await search.Index.CountFileChunksAsync(environment, other, Ct));
        Assert.Equal(2, search.Service.DocumentCount($"env-{environment:D}"));
    }

    [Fact]
    public async Task Count_asks_for_the_total_only()
    {
        var search = new SearchHarness();
        var environment = await search.CreatedAsync();
        var file = Guid.NewGuid();
        await search.Index.ReplaceFileChunksAsync(environment, file, [.. Enumerable.Range(0, 3).Select(i => Chunk(file, i, "x", Axis(8, i)))], Ct);
        search.Service.ClearRequests();

        Assert.Equal(3, await search.Index.CountFileChunksAsync(environment, file, Ct));

        var body = Assert.Single(search.Service.Requests).JsonBody;
        Assert.True(body.GetProperty("count").GetBoolean());
        Assert.Equal(0, body.GetProperty("top").GetInt32());
        Assert.Equal($"file_id eq '{file:D}'", body.GetProperty("filter").GetString());
    }

    [Fact]
    public async Task Deleting_a_files_chunks_deletes_exactly_its_ids_and_is_idempotent()
    {
        var search = new SearchHarness();
        var environment = await search.CreatedAsync();
        var gone = Guid.NewGuid();
        var kept = Guid.NewGuid();
        await search.Index.ReplaceFileChunksAsync(environment, gone, [Chunk(gone, 0, "gone", Axis(8, 0)), Chunk(gone, 1, "gone", Axis(8, 1))], Ct);
        await search.Index.ReplaceFileChunksAsync(environment, kept, [Chunk(kept, 0, "kept", Axis(8, 0))], Ct);

        await search.Index.DeleteFileChunksAsync(environment, gone, Ct);
        await search.Index.DeleteFileChunksAsync(environment, gone, Ct);

        Assert.Equal(0, await search.Index.CountFileChunksAsync(environment, gone, Ct));
        Assert.Equal(1, await search.Index.CountFileChunksAsync(environment, kept, Ct));
        Assert.Single(search.Service.RequestsTo("/docs/search.index").Skip(2));
    }

    [Fact]
    public async Task Invalid_replacements_are_refused_before_anything_is_written()
    {
        var search = new SearchHarness();
        var environment = await search.CreatedAsync();
        var file = Guid.NewGuid();

        await Assert.ThrowsAsync<ConflictException>(() => search.Index.ReplaceFileChunksAsync(environment, file, [Chunk(file, 0, "a", Axis(8, 0)), Chunk(file, 1, "b", Axis(9, 1))], Ct));
        await Assert.ThrowsAsync<ConflictException>(() => search.Index.ReplaceFileChunksAsync(environment, file, [Chunk(file, 0, "a", Axis(8, 0)), Chunk(file, 0, "b", Axis(8, 1))], Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => search.Index.ReplaceFileChunksAsync(environment, file, [Chunk(Guid.NewGuid(), 0, "a", Axis(8, 0))], Ct));

        Assert.Empty(search.Service.RequestsTo("/docs/search.index"));
    }

    [Fact]
    public async Task Uploads_are_split_at_a_thousand_documents()
    {
        var search = new SearchHarness();
        var environment = await search.CreatedAsync(4);
        var file = Guid.NewGuid();

        await search.Index.ReplaceFileChunksAsync(environment, file, [.. Enumerable.Range(0, 2_500).Select(i => Chunk(file, i, $"chunk {i}", Axis(4, i % 4)))], Ct);

        Assert.Equal([1_000, 1_000, 500], search.Service.RequestsTo("/docs/search.index").Select(r => r.JsonBody.GetProperty("value").GetArrayLength()));
        Assert.Equal(2_500, await search.Index.CountFileChunksAsync(environment, file, Ct));
        Assert.Equal(2_500, (await search.Index.GetFileChunksAsync(environment, file, Ct)).Count);
        // Listing before the upload (one page: the file had nothing), then reading back in pages of 1,000.
        Assert.Equal(
            [0, 0, 1_000, 2_000],
            search.Service.RequestsTo("/docs/search.post.search").Where(r => r.JsonBody.TryGetProperty("skip", out _)).Select(r => r.JsonBody.GetProperty("skip").GetInt32()));
    }

    [Fact]
    public async Task Deletes_are_split_at_a_thousand_documents()
    {
        var search = new SearchHarness();
        var environment = await search.CreatedAsync(4);
        var file = Guid.NewGuid();
        await search.Index.ReplaceFileChunksAsync(environment, file, [.. Enumerable.Range(0, 2_500).Select(i => Chunk(file, i, $"chunk {i}", Axis(4, i % 4)))], Ct);
        search.Service.ClearRequests();

        await search.Index.DeleteFileChunksAsync(environment, file, Ct);

        var deletes = search.Service.RequestsTo("/docs/search.index");
        Assert.Equal([1_000, 1_000, 500], deletes.Select(r => r.JsonBody.GetProperty("value").GetArrayLength()));
        Assert.All(deletes.SelectMany(r => r.JsonBody.GetProperty("value").EnumerateArray()), d => Assert.Equal("delete", d.GetProperty("@search.action").GetString()));
        Assert.Equal(0, search.Service.DocumentCount($"env-{environment:D}"));
    }

    [Fact]
    public async Task Uploads_are_split_under_sixteen_megabytes()
    {
        var search = new SearchHarness();
        var environment = await search.CreatedAsync(4);
        var file = Guid.NewGuid();
        // ~1.1 MB each on the wire: non-ASCII text is sent \u-escaped, six bytes per character.
        var big = new string('x', 900_000) + new string('ü', 40_000);

        await search.Index.ReplaceFileChunksAsync(environment, file, [.. Enumerable.Range(0, 40).Select(i => Chunk(file, i, big, Axis(4, i % 4)))], Ct);

        var uploads = search.Service.RequestsTo("/docs/search.index");
        Assert.True(uploads.Count >= 3, $"{uploads.Count} requests");
        Assert.All(uploads, r => Assert.True(Encoding.UTF8.GetByteCount(r.Body!) <= 16_000_000, $"{Encoding.UTF8.GetByteCount(r.Body!)} bytes"));
        Assert.Equal(40, uploads.Sum(r => r.JsonBody.GetProperty("value").GetArrayLength()));
    }

    [Fact]
    public async Task A_document_the_service_is_too_busy_to_index_surfaces_as_transient_and_a_refused_one_as_an_error()
    {
        var search = new SearchHarness();
        var environment = await search.CreatedAsync();
        var file = Guid.NewGuid();
        var status = 503;
        search.Service.Override = r => r.Uri.AbsolutePath.EndsWith("/docs/search.index", StringComparison.Ordinal)
            ? FakeSearchService.Json((HttpStatusCode)207, new JsonObject
            {
                ["value"] = new JsonArray(
                    new JsonObject { ["key"] = ChunkId(file, 0).ToString("D"), ["status"] = true, ["statusCode"] = 201 },
                    new JsonObject { ["key"] = ChunkId(file, 1).ToString("D"), ["status"] = false, ["statusCode"] = status, ["errorMessage"] = "secret document text" }),
            })
            : null;
        List<IndexedChunk> chunks = [Chunk(file, 0, "a", Axis(8, 0)), Chunk(file, 1, "b", Axis(8, 1))];

        var transient = await Assert.ThrowsAsync<TransientException>(() => search.Index.ReplaceFileChunksAsync(environment, file, chunks, Ct));
        status = 400;
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => search.Index.ReplaceFileChunksAsync(environment, file, chunks, Ct));

        Assert.Contains("1 × 503", transient.Message, StringComparison.Ordinal);
        Assert.Contains("1 × 400", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", refused.Message, StringComparison.Ordinal);
    }

    // Queries

    [Fact]
    public async Task A_query_is_one_hybrid_request_with_the_same_filter_for_text_and_vector()
    {
        var search = new SearchHarness();
        var environment = await search.CreatedAsync(4);
        var file = Guid.NewGuid();
        var filter = new IndexFilter { FileIds = [file], Categories = ["guide"], Metadata = new Dictionary<string, string> { ["team"] = "blue" } };

        await search.Index.QueryAsync(environment, Query("What is the \"powerhouse\" (of) the cell?", [0.5f, 0.25f, -1, 0], candidates: 40, filter), Ct);

        var request = Assert.Single(search.Service.Requests);
        Assert.Equal($"POST {IndexPath(environment)}/docs/search.post.search", request.Line);
        var body = request.JsonBody;
        Assert.Equal("what is the powerhouse of cell", body.GetProperty("search").GetString());
        Assert.Equal("any", body.GetProperty("searchMode").GetString());
        Assert.Equal("simple", body.GetProperty("queryType").GetString());
        Assert.Equal(40, body.GetProperty("top").GetInt32());
        Assert.Equal(
            $"search.in(file_id, '{file:D}', '|') and category eq 'guide' and metadata/any(m: m eq 'team=blue')",
            body.GetProperty("filter").GetString());
        Assert.Equal(
            "id,file_id,folder_id,chunk_index,content,page_number,start_page,end_page,token_count,heading_path,file_name,mime_type,reference_id,category,document_type,metadata,content_vector",
            body.GetProperty("select").GetString());
        Assert.Equal("preFilter", body.GetProperty("vectorFilterMode").GetString());
        var vector = Assert.Single(body.GetProperty("vectorQueries").EnumerateArray());
        Assert.Equal("vector", vector.GetProperty("kind").GetString());
        Assert.Equal(40, vector.GetProperty("k").GetInt32());
        Assert.Equal("content_vector", vector.GetProperty("fields").GetString());
        Assert.Equal([0.5f, 0.25f, -1f, 0f], vector.GetProperty("vector").EnumerateArray().Select(v => v.GetSingle()));
        Assert.DoesNotContain(environment.ToString("D"), body.GetProperty("filter").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ODataFilterTests.HostileValues), MemberType = typeof(ODataFilterTests))]
    public async Task Hostile_filter_values_reach_the_service_as_single_literals(string hostile)
    {
        var search = new SearchHarness();
        var environment = await search.CreatedAsync(4);

        await search.Index.QueryAsync(environment, Query("common", Axis(4, 0), filter: new IndexFilter
        {
            MimeTypes = [hostile],
            ReferenceIds = [hostile, "ref-1"],
            Metadata = new Dictionary<string, string> { [hostile] = hostile },
        }), Ct);

        var (skeleton, literals) = ODataLiterals.Read(Assert.Single(search.Service.Requests).JsonBody.GetProperty("filter").GetString()!);
        Assert.Equal("mime_type eq '?' and (reference_id eq '?' or reference_id eq '?') and metadata/any(m: m eq '?')", skeleton);
        Assert.Equal([hostile, hostile, "ref-1", $"{hostile.Replace("%", "%25", StringComparison.Ordinal).Replace("=", "%3D", StringComparison.Ordinal)}={hostile}"], literals);
    }

    [Fact]
    public async Task Candidates_carry_the_exact_cosine_from_their_vectors_and_are_ranked_by_it()
    {
        var search = new SearchHarness();
        var environment = await search.CreatedAsync();
        var file = Guid.NewGuid();
        double[] cosines = [0.1, 0.95, -0.3, 0.5];
        var chunks = cosines.Select((c, i) => Chunk(file, i, $"passage {i}", WithCosine(8, c, 1 + i))).ToList();
        await search.Index.ReplaceFileChunksAsync(environment, file, chunks, Ct);
        // The service answers in its fused order, which is not the cosine order.
        search.Service.QueryAnswer = _ => [.. chunks.Select((c, i) => (Document(c), 0.03 - (i * 0.001)))];

        var found = await search.Index.QueryAsync(environment, Query("passage", Axis(8, 0)), Ct);

        Assert.Equal([0.95, 0.5, 0.1, -0.3], found.Select(c => Math.Round(c.VectorSimilarity, 6)));
        Assert.Equal([1, 2, 3, 4], found.Select(c => c.VectorRank));
        Assert.All(found, c => Assert.Equal(Cosine(Axis(8, 0), c.Chunk.Vector.ToArray()), c.VectorSimilarity, 12));
        // The fused score is not BM25, so a hybrid answer claims no text signals.
        Assert.All(found, c => Assert.Null(c.TextScore));
        Assert.All(found, c => Assert.Null(c.TextRank));
    }

    [Fact]
    public async Task A_text_only_query_reports_bm25_scores_and_ranks_and_no_vector_query()
    {
        var search = new SearchHarness();
        var environment = await search.CreatedAsync();
        var file = Guid.NewGuid();
        var chunks = Enumerable.Range(0, 3).Select(i => Chunk(file, i, $"passage {i}", Axis(8, i))).ToList();
        await search.Index.ReplaceFileChunksAsync(environment, file, chunks, Ct);
        search.Service.ClearRequests();
        search.Service.QueryAnswer = _ => [(Document(chunks[2]), 7.5), (Document(chunks[0]), 2.25)];

        var found = await search.Index.QueryAsync(environment, Query("passage", null), Ct);

        Assert.False(Assert.Single(search.Service.Requests).JsonBody.TryGetProperty("vectorQueries", out _));
        Assert.Equal([chunks[2].ChunkId, chunks[0].ChunkId], found.Select(c => c.Chunk.ChunkId));
        Assert.Equal([7.5, 2.25], found.Select(c => c.TextScore));
        Assert.Equal([1, 2], found.Select(c => c.TextRank));
        Assert.All(found, c => Assert.Null(c.VectorRank));
        Assert.All(found, c => Assert.Equal(0, c.VectorSimilarity));
    }

    [Fact]
    public async Task A_query_without_words_or_vector_asks_nothing_and_one_without_words_is_vector_only()
    {
        var search = new SearchHarness();
        var environment = await search.CreatedAsync();

        Assert.Empty(await search.Index.QueryAsync(environment, Query("\"*()", null), Ct));
        Assert.Empty(search.Service.Requests);

        await search.Index.QueryAsync(environment, Query("🙂", Axis(8, 0)), Ct);
        var body = Assert.Single(search.Service.Requests).JsonBody;
        Assert.True(!body.TryGetProperty("search", out var text) || text.ValueKind == JsonValueKind.Null);
        Assert.True(body.TryGetProperty("vectorQueries", out _));
    }

    [Fact]
    public async Task With_the_semantic_ranker_an_index_is_created_with_its_configuration_and_a_query_asks_for_reranking()
    {
        var search = new SearchHarness();
        search.Settings.SemanticRanker = true;
        var environment = await search.CreatedAsync();
        var file = Guid.NewGuid();
        var chunks = Enumerable.Range(0, 3).Select(i => Chunk(file, i, $"passage {i}", Axis(8, i))).ToList();
        await search.Index.ReplaceFileChunksAsync(environment, file, chunks, Ct);
        search.Service.ClearRequests();
        search.Service.Override = request => request.Line.EndsWith("/docs/search.post.search", StringComparison.Ordinal)
            ? SearchAnswer((chunks[1], 0.03, 3.6), (chunks[0], 0.02, 1.2), (chunks[2], 0.01, null))
            : null;

        var found = await search.Index.QueryAsync(environment, Query("what is in the passage", Axis(8, 1)), Ct);

        var configuration = Assert.Single(search.Service.Index($"env-{environment:D}")!["semantic"]!["configurations"]!.AsArray())!;
        Assert.Equal("memic-semantic", (string)configuration["name"]!);
        Assert.Equal("file_name", (string)configuration["prioritizedFields"]!["titleField"]!["fieldName"]!);
        Assert.Equal("content", (string)configuration["prioritizedFields"]!["prioritizedContentFields"]![0]!["fieldName"]!);
        var body = Assert.Single(search.Service.Requests).JsonBody;
        Assert.Equal("semantic", body.GetProperty("queryType").GetString());
        Assert.Equal("memic-semantic", body.GetProperty("semanticConfiguration").GetString());
        Assert.Equal("partial", body.GetProperty("semanticErrorHandling").GetString());
        Assert.True(body.TryGetProperty("vectorQueries", out _));
        Assert.Equal<double?>([3.6, 1.2, null], new[] { chunks[1], chunks[0], chunks[2] }.Select(c => found.Single(f => f.Chunk.ChunkId == c.ChunkId).RerankerScore));
    }

    [Fact]
    public async Task Without_the_semantic_ranker_or_without_words_no_reranking_is_asked_for()
    {
        var plain = new SearchHarness();
        var environment = await plain.CreatedAsync();
        await plain.Index.QueryAsync(environment, Query("passage", Axis(8, 0)), Ct);
        var semantic = new SearchHarness();
        semantic.Settings.SemanticRanker = true;
        var other = await semantic.CreatedAsync();
        await semantic.Index.QueryAsync(other, Query("🙂", Axis(8, 0)), Ct);

        Assert.False(plain.Service.Index($"env-{environment:D}")!.ContainsKey("semantic"));
        Assert.Equal("simple", Assert.Single(plain.Service.Requests).JsonBody.GetProperty("queryType").GetString());
        Assert.False(Assert.Single(plain.Service.Requests).JsonBody.TryGetProperty("semanticConfiguration", out _));
        Assert.False(Assert.Single(semantic.Service.Requests).JsonBody.TryGetProperty("semanticConfiguration", out _));
    }

    [Fact]
    public async Task An_index_without_the_semantic_configuration_is_asked_again_without_reranking()
    {
        var search = new SearchHarness();
        var environment = await search.CreatedAsync();
        var file = Guid.NewGuid();
        var chunk = Chunk(file, 0, "passage", Axis(8, 0));
        await search.Index.ReplaceFileChunksAsync(environment, file, [chunk], Ct);
        search.Service.ClearRequests();
        // Created before the ranker was enabled: the service refuses a configuration the index does not have.
        search.Settings.SemanticRanker = true;
        search.Service.Override = request => request.Body?.Contains("semanticConfiguration", StringComparison.Ordinal) == true
            ? FakeSearchService.Error(HttpStatusCode.BadRequest, "InvalidRequestParameter")
            : null;

        var found = await search.Index.QueryAsync(environment, Query("passage", Axis(8, 0)), Ct);

        Assert.Equal(["semantic", "simple"], search.Service.Requests.Select(r => r.JsonBody.GetProperty("queryType").GetString()));
        Assert.Null(Assert.Single(found).RerankerScore);
    }

    [Fact]
    public async Task A_query_vector_of_another_dimension_is_a_conflict_without_a_request()
    {
        var search = new SearchHarness();
        var environment = await search.CreatedAsync();

        await Assert.ThrowsAsync<ConflictException>(() => search.Index.QueryAsync(environment, Query("text", Axis(16, 0)), Ct));
        Assert.Empty(search.Service.Requests);
    }

    [Fact]
    public async Task An_empty_list_filter_reaches_the_service_as_false()
    {
        var search = new SearchHarness();
        var environment = await search.CreatedAsync();

        await search.Index.QueryAsync(environment, Query("text", Axis(8, 0), filter: new IndexFilter { FileIds = [] }), Ct);

        Assert.Equal("false", Assert.Single(search.Service.Requests).JsonBody.GetProperty("filter").GetString());
    }

    // Failures

    [Fact]
    public async Task A_429_is_retried_after_the_wait_the_service_asks_for()
    {
        var search = new SearchHarness();
        var environment = await search.CreatedAsync();
        var throttled = 0;
        search.Service.Override = _ => throttled++ == 0 ? FakeSearchService.Error(HttpStatusCode.TooManyRequests, "Throttled", ("retry-after-ms", "300")) : null;

        await search.Index.QueryAsync(environment, Query("text", Axis(8, 0)), Ct);

        var attempts = search.Service.Requests;
        Assert.Equal(2, attempts.Count);
        Assert.True(attempts[1].At - attempts[0].At >= TimeSpan.FromMilliseconds(280), $"{(attempts[1].At - attempts[0].At).TotalMilliseconds} ms");
    }

    [Fact]
    public async Task A_503_then_success_succeeds()
    {
        var search = new SearchHarness();
        var environment = await search.CreatedAsync();
        var file = Guid.NewGuid();
        var failures = 0;
        search.Service.Override = r => r.Uri.AbsolutePath.EndsWith("/docs/search.index", StringComparison.Ordinal) && failures++ < 2
            ? FakeSearchService.Error(HttpStatusCode.ServiceUnavailable, "Busy", ("Retry-After", "0"))
            : null;

        await search.Index.ReplaceFileChunksAsync(environment, file, [Chunk(file, 0, "text", Axis(8, 0))], Ct);

        Assert.Equal(3, search.Service.RequestsTo("/docs/search.index").Count);
        Assert.Equal(1, await search.Index.CountFileChunksAsync(environment, file, Ct));
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.RequestTimeout)]
    [InlineData(HttpStatusCode.BadGateway)]
    public async Task A_service_failing_every_retry_surfaces_as_transient_after_a_bounded_number_of_attempts(HttpStatusCode status)
    {
        var search = new SearchHarness(maxRetries: 2);
        var environment = await search.CreatedAsync();
        search.Service.Override = _ => FakeSearchService.Error(status);

        var error = await Assert.ThrowsAsync<TransientException>(() => search.Index.QueryAsync(environment, Query("text", Axis(8, 0)), Ct));

        Assert.Equal(ErrorKind.Transient, error.Kind);
        Assert.Equal(3, search.Service.Requests.Count);
    }

    [Fact]
    public async Task A_service_asking_for_a_longer_wait_than_allowed_is_not_waited_for()
    {
        var search = new SearchHarness(maxServerRetryDelay: TimeSpan.FromSeconds(1));
        var environment = await search.CreatedAsync();
        search.Service.Override = _ => FakeSearchService.Error(HttpStatusCode.TooManyRequests, "Throttled", ("Retry-After", "3600"));

        await Assert.ThrowsAsync<TransientException>(() => search.Index.CountFileChunksAsync(environment, Guid.NewGuid(), Ct));

        Assert.Single(search.Service.Requests);
    }

    [Fact]
    public async Task A_bad_request_is_not_retried_and_not_disguised_as_transient()
    {
        var search = new SearchHarness();
        var environment = await search.CreatedAsync();
        search.Service.Override = _ => FakeSearchService.Error(HttpStatusCode.BadRequest, "InvalidRequestParameter");

        var error = await Assert.ThrowsAsync<global::Azure.RequestFailedException>(() => search.Index.QueryAsync(environment, Query("text", Axis(8, 0)), Ct));

        Assert.Equal(400, error.Status);
        Assert.Single(search.Service.Requests);
    }

    [Fact]
    public async Task Creating_during_an_outage_surfaces_as_transient()
    {
        var search = new SearchHarness(maxRetries: 1);
        search.Service.Override = _ => FakeSearchService.Error(HttpStatusCode.ServiceUnavailable);

        await Assert.ThrowsAsync<TransientException>(() => search.Index.CreateAsync(Guid.NewGuid(), Model(8), Ct));
        Assert.Equal(2, search.Service.Requests.Count);
    }

    /// <summary>A search answer as the service writes it for a semantic query: each document with both scores.</summary>
    private static HttpResponseMessage SearchAnswer(params (IndexedChunk Chunk, double Score, double? RerankerScore)[] hits)
    {
        var value = new JsonArray();
        foreach (var (chunk, score, reranker) in hits)
        {
            var document = Document(chunk);
            document["@search.score"] = score;
            if (reranker is { } r)
            {
                document["@search.rerankerScore"] = r;
            }

            value.Add(document);
        }

        return FakeSearchService.Json(HttpStatusCode.OK, new JsonObject { ["value"] = value });
    }

    private static JsonObject Document(IndexedChunk chunk) =>
        JsonNode.Parse(JsonSerializer.Serialize(global::Memic.Azure.Search.Internals.ChunkDocument.From(chunk)))!.AsObject();
}

/// <summary>Another adapter instance (another host) over the same fake service and locator, with its own caches.</summary>
internal sealed class SearchHarnessOver(SearchHarness shared)
{
    public global::Memic.Azure.Search.AzureAISearchIndex Index { get; } = shared.NewIndex();
}
