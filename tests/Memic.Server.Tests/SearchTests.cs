using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Memic.TestDocuments;
using static Memic.Server.Tests.Wire;
using static Memic.TestDocuments.OfficeFixtures;

namespace Memic.Server.Tests;

/// <summary>POST /search over real documents (CONTRACT §6).</summary>
public sealed class SearchTests(DocumentCorpus corpus) : IClassFixture<DocumentCorpus>
{
    private static async Task<JsonElement> SearchAsync(HttpClient client, object request, string surface = "/api/v1")
    {
        var body = await (await client.PostAsJsonAsync(surface + "/search", request, Ct)).ExpectAsync(HttpStatusCode.OK);
        var results = body.GetProperty("results").GetProperty("semantic").EnumerateArray().ToList();
        var scores = results.Select(r => r.GetProperty("score").GetDouble()).ToList();
        Assert.Equal(scores.OrderByDescending(s => s), scores);
        Assert.Equal(results.Count, body.GetProperty("total_results").GetInt32());
        return body;
    }

    private static List<JsonElement> Results(JsonElement body) => [.. body.GetProperty("results").GetProperty("semantic").EnumerateArray()];

    [Theory]
    [InlineData("The boiler must be serviced every twelve months by a certified technician", "facilities.pdf", 2)]
    [InlineData("accrue 2.5 days of paid vacation per month worked", "handbook.docx", 2)]
    [InlineData("open Settings, choose Security and click Reset password", "account.md", 1)]
    public async Task Quoted_passage_comes_first_with_a_high_score_file_and_page(string query, string fileName, int page)
    {
        var body = await SearchAsync(corpus.Acme, new { query });

        var first = Results(body)[0];
        Assert.Equal(fileName, first.GetProperty("file_name").GetString());
        Assert.Equal(page, first.GetProperty("page_number").GetInt32());
        Assert.True(first.GetProperty("score").GetDouble() >= 0.9, $"score {first.GetProperty("score")}");
    }

    [Theory]
    [InlineData("How often does the heating system need maintenance?", "facilities.pdf", 2)]
    [InlineData("How many days of annual leave do staff earn?", "handbook.docx", 2)]
    [InlineData("I forgot my login credentials, how do I recover them?", "account.md", 1)]
    public async Task Paraphrased_passage_comes_first_above_the_default_min_score(string query, string fileName, int page)
    {
        var body = await SearchAsync(corpus.Acme, new { query }, "/api/v1/sdk");

        var first = Results(body)[0];
        Assert.Equal(fileName, first.GetProperty("file_name").GetString());
        Assert.Equal(page, first.GetProperty("page_number").GetInt32());
        Assert.True(first.GetProperty("score").GetDouble() >= 0.7);
    }

    [Theory]
    [InlineData("zxqv plorkt wubble fennimore")]
    [InlineData("recipe for chocolate lava cake")]
    [InlineData("Who won the 1998 football world cup final?")]
    public async Task Unrelated_query_returns_nothing_at_the_default_min_score(string query)
    {
        var body = await SearchAsync(corpus.Acme, new { query });

        Assert.Empty(Results(body));
    }

    [Fact]
    public async Task Top_k_limits_results_and_each_has_every_field()
    {
        var one = await SearchAsync(corpus.Acme, new { query = "garden widget blue box warranty", top_k = 1, min_score = 0.0 });
        var many = await SearchAsync(corpus.Acme, new { query = "garden widget blue box warranty", top_k = 7, min_score = 0.0 });

        Assert.Single(Results(one));
        Assert.Equal(7, Results(many).Count);
        Assert.Equal(
            ["bounding_boxes", "category", "chunk_id", "chunk_index", "content", "document_type", "end_page", "file_id", "file_name", "mime_type",
             "page_number", "project_id", "reference_id", "score", "start_page", "tags", "token_count"],
            Results(many)[0].EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(["filters_applied", "namespace", "query", "results", "routing", "search_time_ms", "total_results"], many.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(JsonValueKind.Null, many.GetProperty("results").GetProperty("structured").ValueKind);
        Assert.Equal("semantic", many.GetProperty("routing").GetProperty("route").GetString());
        Assert.Equal(corpus.AcmeEnvironment, many.GetProperty("namespace").GetGuid());
    }

    [Fact]
    public async Task Filters_narrow_inside_retrieval_and_still_fill_top_k()
    {
        var catalogue = corpus.AcmeFiles["catalogue.txt"];
        var facilities = corpus.AcmeFiles["facilities.pdf"];

        var byFile = await SearchAsync(corpus.Acme, new { query = "boiler service", min_score = 0.0, top_k = 5, file_ids = new[] { catalogue } });
        var byFolder = await SearchAsync(corpus.Acme, new { query = "garden widget", min_score = 0.0, top_k = 10, filters = new { folder_ids = new[] { corpus.AcmeManualsFolder } } });
        var byMime = await SearchAsync(corpus.Acme, new { query = "policy", min_score = 0.0, top_k = 10, filters = new { mime_types = new[] { "text/markdown" } } });
        var byReference = await SearchAsync(corpus.Acme, new { query = "vacation", min_score = 0.0, top_k = 10, metadata_filters = new { reference_ids = new[] { "fac-2026" } } });
        var byPage = await SearchAsync(corpus.Acme, new { query = "parking badge boiler", min_score = 0.0, top_k = 10, file_ids = new[] { facilities }, metadata_filters = new { page_number = 3 } });
        var byRange = await SearchAsync(corpus.Acme, new { query = "parking badge boiler", min_score = 0.0, top_k = 10, file_ids = new[] { facilities }, metadata_filters = new { page_range = new { gte = 2, lte = 3 } } });
        var byCategory = await SearchAsync(corpus.Acme, new { query = "days", min_score = 0.0, top_k = 10, metadata_filters = new { category = "hr", document_type = "policy" } });
        var byMetadata = await SearchAsync(corpus.Acme, new { query = "password", min_score = 0.0, top_k = 10, filters = new { metadata = new { region = "emea" } } });

        Assert.Equal(5, Results(byFile).Count);
        Assert.All(Results(byFile), r => Assert.Equal(catalogue, r.GetProperty("file_id").GetGuid()));
        Assert.NotEmpty(Results(byFolder));
        Assert.All(Results(byFolder), r => Assert.Equal(facilities, r.GetProperty("file_id").GetGuid()));
        Assert.All(Results(byMime), r => Assert.Equal("text/markdown", r.GetProperty("mime_type").GetString()));
        Assert.All(Results(byReference), r => Assert.Equal("fac-2026", r.GetProperty("reference_id").GetString()));
        Assert.Equal([3], Results(byPage).Select(r => r.GetProperty("page_number").GetInt32()));
        Assert.Equal([2, 3], Results(byRange).Select(r => r.GetProperty("page_number").GetInt32()).Order());
        Assert.NotEmpty(Results(byCategory));
        Assert.All(Results(byCategory), r => Assert.Equal("handbook.docx", r.GetProperty("file_name").GetString()));
        Assert.All(Results(byMetadata), r => Assert.NotEqual("account.md", r.GetProperty("file_name").GetString()));
        Assert.Equal([catalogue.ToString()], byFile.GetProperty("filters_applied").GetProperty("file_ids").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Ids_of_another_environment_match_nothing()
    {
        var globexFile = corpus.GlobexFiles.Values.Single();

        var byFile = await SearchAsync(corpus.Acme, new { query = "boilers are serviced every six months", min_score = 0.0, file_ids = new[] { globexFile } });
        var byFolder = await SearchAsync(corpus.Acme, new { query = "boilers", min_score = 0.0, filters = new { folder_ids = new[] { corpus.GlobexFolder } } });

        Assert.Empty(Results(byFile));
        Assert.Empty(Results(byFolder));
    }

    [Theory]
    [InlineData("boiler serviced technician months")]
    [InlineData("garden widgets")]
    [InlineData("Globex boilers are serviced every six months by our own engineers")]
    public async Task Each_key_finds_only_its_own_environment_documents(string query)
    {
        var acme = await SearchAsync(corpus.Acme, new { query, min_score = 0.0, top_k = 50 });
        var globex = await SearchAsync(corpus.Globex, new { query, min_score = 0.0, top_k = 50 });

        Assert.All(Results(acme), r => Assert.Contains(r.GetProperty("file_id").GetGuid(), corpus.AcmeFiles.Values));
        Assert.All(Results(globex), r => Assert.Contains(r.GetProperty("file_id").GetGuid(), corpus.GlobexFiles.Values));
        Assert.NotEmpty(Results(globex));
    }

    [Theory]
    [InlineData("{}", "query")]
    [InlineData("{\"query\": \"\"}", "query")]
    [InlineData("{\"query\": \"x\", \"top_k\": 0}", "top_k")]
    [InlineData("{\"query\": \"x\", \"top_k\": 51}", "top_k")]
    [InlineData("{\"query\": \"x\", \"min_score\": 1.5}", "min_score")]
    [InlineData("{\"query\": \"x\", \"file_ids\": [\"nope\"]}", "file_ids")]
    [InlineData("{\"query\": \"x\", \"force_route\": \"magic\"}", "force_route")]
    [InlineData("{\"query\": \"x\", \"metadata_filters\": {\"page_number\": \"two\"}}", "page_number")]
    public async Task Invalid_search_requests_are_422(string json, string field)
    {
        var detail = await (await corpus.Acme.PostAsync("/api/v1/search", Json(json), Ct)).ExpectErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");

        Assert.Contains(detail.EnumerateArray(), e => e.GetProperty("loc").EnumerateArray().Last().GetString() == field);
    }

    [Fact]
    public async Task Environment_slug_of_another_environment_is_403()
    {
        await (await corpus.Acme.PostAsJsonAsync("/api/v1/search", new { query = "boiler", environment_slug = "globex" }, Ct)).ExpectErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        await SearchAsync(corpus.Acme, new { query = "boiler", environment_slug = "acme" });
    }

    [Fact]
    public async Task Searches_are_counted_in_usage()
    {
        using var admin = corpus.Server.AdminClient();
        async Task<long> SearchesAsync() => (await (await admin.GetAsync($"/api/admin/v1/environments/{corpus.AcmeEnvironment}/usage", Ct)).ExpectAsync(HttpStatusCode.OK))
            .GetProperty("totals").GetProperty("searches").GetInt64();
        var before = await SearchesAsync();

        await SearchAsync(corpus.Acme, new { query = "boiler" });
        await SearchAsync(corpus.Acme, new { query = "vacation" }, "/api/v1/sdk");

        Assert.Equal(before + 2, await SearchesAsync());
    }
}
