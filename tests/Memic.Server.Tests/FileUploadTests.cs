using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Memic.Core.Ports;
using Microsoft.Extensions.DependencyInjection;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests;

/// <summary>The upload flow, file routes and folders over HTTP, with real ingestion behind them (CONTRACT §3–§5, §9).</summary>
public sealed class FileUploadTests : IClassFixture<MemicServerFactory>
{
    private readonly MemicServerFactory _server;

    public FileUploadTests(MemicServerFactory server) => _server = server;

    private async Task<(Guid EnvironmentId, HttpClient Client)> NewEnvironmentAsync(string slug)
    {
        using var admin = _server.AdminClient();
        var (id, key) = await admin.CreateEnvironmentAsync(slug);
        return (id, _server.DataClient(key));
    }

    private Task<IReadOnlyList<Core.Search.IndexedChunk>> ChunksAsync(Guid environmentId, Guid fileId) =>
        _server.Services.GetRequiredService<ISearchIndex>().GetFileChunksAsync(environmentId, fileId, Ct);

    [Fact]
    public async Task Text_file_goes_through_every_status_to_ready_with_page_aware_chunks()
    {
        var (environmentId, client) = await NewEnvironmentAsync("txt-flow");
        var text = "Page one talks about onboarding.\f\fThe red kite nests on the third page of this manual.";

        var (file, seen) = await Uploads.UploadAndWaitAsync(_server, client, "manual.txt", Encoding.UTF8.GetBytes(text), "text/plain");

        Assert.Equal("ready", file.GetProperty("status").GetString());
        Uploads.AssertMonotonic(seen);
        Assert.True(file.GetProperty("total_chunks").GetInt32() >= 1);
        Assert.Equal(file.GetProperty("total_chunks").GetInt32(), file.GetProperty("total_embeddings").GetInt32());
        Assert.Equal(384, file.GetProperty("embedding_dimension").GetInt32());
        var chunks = await ChunksAsync(environmentId, file.GetProperty("id").GetGuid());
        var kite = Assert.Single(chunks, c => c.Content.Contains("red kite", StringComparison.Ordinal));
        Assert.Equal(3, kite.PageNumber);
        Assert.Equal("manual.txt", kite.FileName);
    }

    [Fact]
    public async Task File_object_has_every_contract_field()
    {
        var (environmentId, client) = await NewEnvironmentAsync("file-shape");

        var (file, _) = await Uploads.UploadAndWaitAsync(_server, client, "notes.md", "# Notes\n\nSome words."u8.ToArray(), "text/markdown",
            new { reference_id = "ref-1", metadata = new { team = "docs", year = 2026 } });

        Assert.Equal(
            ["created_at", "embedding_dimension", "environment_id", "environment_slug", "error_message", "file_metadata", "folder_id", "folder_name",
             "id", "mime_type", "name", "original_filename", "project_id", "reference_id", "size", "status", "total_chunks", "total_embeddings", "updated_at"],
            file.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(environmentId, file.GetProperty("environment_id").GetGuid());
        Assert.Equal("file-shape", file.GetProperty("environment_slug").GetString());
        Assert.Equal("default", file.GetProperty("folder_name").GetString());
        Assert.Equal("ref-1", file.GetProperty("reference_id").GetString());
        Assert.Equal("docs", file.GetProperty("file_metadata").GetProperty("team").GetString());
        Assert.Equal(JsonValueKind.Null, file.GetProperty("error_message").ValueKind);
    }

    [Theory]
    [InlineData("guide.md", "text/markdown", "# Guide\n\n## Setup\n\nInstall the widget.\n\n## Troubleshooting\n\nThe blue heron appears when the cache is cold.", 1)]
    [InlineData("table.csv", "text/csv", "name,habitat\nheron,\"The blue heron appears when the cache is cold, says the log\"\nkite,hills", 1)]
    [InlineData("data.json", "application/json", "{\"birds\": [{\"name\": \"heron\", \"note\": \"The blue heron appears when the cache is cold\"}]}", 1)]
    [InlineData("page.html", "text/html", "<html><head><title>T</title><script>var hidden = 'script text';</script></head><body><h1>Birds</h1><p>The blue heron appears when the cache is cold.</p></body></html>", 1)]
    public async Task Text_formats_are_indexed_with_their_sentence(string filename, string mimeType, string content, int page)
    {
        var (environmentId, client) = await NewEnvironmentAsync("fmt-" + Path.GetExtension(filename).TrimStart('.'));

        var (file, seen) = await Uploads.UploadAndWaitAsync(_server, client, filename, Encoding.UTF8.GetBytes(content), mimeType);

        Assert.Equal("ready", file.GetProperty("status").GetString());
        Uploads.AssertMonotonic(seen);
        var chunks = await ChunksAsync(environmentId, file.GetProperty("id").GetGuid());
        var hit = Assert.Single(chunks, c => c.Content.Contains("blue heron appears", StringComparison.Ordinal));
        Assert.Equal(page, hit.PageNumber);
        Assert.DoesNotContain(chunks, c => c.Content.Contains("script text", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Confirm_is_idempotent_and_never_duplicates_chunks()
    {
        var (environmentId, client) = await NewEnvironmentAsync("idempotent");
        var (file, _) = await Uploads.UploadAndWaitAsync(_server, client, "a.txt", Encoding.UTF8.GetBytes(string.Join("\n\n", Enumerable.Range(0, 40).Select(i => $"Paragraph {i} about topic {i}."))), "text/plain");
        var fileId = file.GetProperty("id").GetGuid();
        var before = (await ChunksAsync(environmentId, fileId)).Count;

        for (var i = 0; i < 3; i++)
        {
            var again = await (await client.PostAsync($"/api/v1/files/{fileId}/confirm", null, Ct)).ExpectAsync(HttpStatusCode.OK);
            Assert.Equal("ready", again.GetProperty("status").GetString());
        }

        Assert.Equal(before, (await ChunksAsync(environmentId, fileId)).Count);
        Assert.Equal(before, file.GetProperty("total_chunks").GetInt32());
    }

    [Fact]
    public async Task One_call_multipart_upload_reaches_ready_in_the_named_folder()
    {
        var (_, client) = await NewEnvironmentAsync("multipart");
        var folder = await (await client.PostAsJsonAsync("/api/v1/folders", new { name = "Contracts" }, Ct)).ExpectAsync(HttpStatusCode.Created);
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent("Clause 4 covers termination."u8.ToArray()), "file", "clauses.txt" },
            { new StringContent(folder.GetProperty("id").GetString()!), "folder_id" },
            { new StringContent("contract-7"), "reference_id" },
            { new StringContent("{\"kind\":\"legal\"}"), "metadata" },
        };

        var created = await (await client.PostAsync("/api/v1/files", form, Ct)).ExpectAsync(HttpStatusCode.Created);
        var file = await Uploads.WaitForTerminalAsync(client, created.GetProperty("id").GetGuid(), [created.GetProperty("status").GetString()!]);

        Assert.Equal("ready", file.GetProperty("status").GetString());
        Assert.Equal("Contracts", file.GetProperty("folder_name").GetString());
        Assert.Equal("contract-7", file.GetProperty("reference_id").GetString());
        Assert.Equal("legal", file.GetProperty("file_metadata").GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Multipart_upload_with_a_generic_part_type_stores_the_type_the_file_is_read_as()
    {
        var (_, client) = await NewEnvironmentAsync("multipart-mime");
        var part = new ByteArrayContent("# Manual\n\nThe boiler is serviced every spring."u8.ToArray());
        part.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        using var form = new MultipartFormDataContent { { part, "file", "manual.md" } };

        var created = await (await client.PostAsync("/api/v1/files", form, Ct)).ExpectAsync(HttpStatusCode.Created);
        var file = await Uploads.WaitForTerminalAsync(client, created.GetProperty("id").GetGuid(), [created.GetProperty("status").GetString()!]);
        var search = await (await client.PostAsJsonAsync("/api/v1/search", new { query = "boiler serviced", min_score = 0.0 }, Ct)).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("text/markdown", created.GetProperty("mime_type").GetString());
        Assert.Equal("text/markdown", file.GetProperty("mime_type").GetString());
        Assert.All(search.GetProperty("results").GetProperty("semantic").EnumerateArray(), r => Assert.Equal("text/markdown", r.GetProperty("mime_type").GetString()));
    }

    [Theory]
    [InlineData("notes.md", "application/octet-stream", "text/markdown")]
    [InlineData("table.csv", "text/plain", "text/csv")]
    [InlineData("data.json", null, "application/json")]
    [InlineData("page.html", "text/html; charset=utf-8", "text/html")]
    [InlineData("readme.txt", "application/octet-stream", "text/plain")]
    [InlineData("report.pdf", "application/x-pdf", "application/x-pdf")]
    public async Task Init_stores_the_type_the_file_is_read_as(string filename, string? declared, string stored)
    {
        var (_, client) = await NewEnvironmentAsync("init-mime-" + Path.GetExtension(filename).TrimStart('.'));

        var body = new Dictionary<string, object?> { ["filename"] = filename, ["size"] = 10, ["mime_type"] = declared };
        var init = await (await client.PostAsJsonAsync("/api/v1/files/init", body, Ct)).ExpectAsync(HttpStatusCode.Created);
        var file = await (await client.GetAsync($"/api/v1/files/{init.GetProperty("file_id").GetGuid()}", Ct)).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(stored, file.GetProperty("mime_type").GetString());
    }

    [Fact]
    public async Task Empty_file_fails_conversion_with_a_reason_and_the_next_file_is_ready()
    {
        var (_, client) = await NewEnvironmentAsync("empty");
        using var form = new MultipartFormDataContent { { new ByteArrayContent([]), "file", "empty.txt" } };

        var created = await (await client.PostAsync("/api/v1/files", form, Ct)).ExpectAsync(HttpStatusCode.Created);
        var failed = await Uploads.WaitForTerminalAsync(client, created.GetProperty("id").GetGuid(), ["uploaded"]);
        var (next, _) = await Uploads.UploadAndWaitAsync(_server, client, "ok.txt", "Fine content."u8.ToArray(), "text/plain");

        Assert.Equal("conversion_failed", failed.GetProperty("status").GetString());
        Assert.Contains("empty", failed.GetProperty("error_message").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("ready", next.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Delete_removes_the_file_its_blob_and_every_chunk()
    {
        var (environmentId, client) = await NewEnvironmentAsync("delete");
        var (file, _) = await Uploads.UploadAndWaitAsync(_server, client, "gone.txt", "To be removed."u8.ToArray(), "text/plain");
        var fileId = file.GetProperty("id").GetGuid();
        Assert.NotEmpty(await ChunksAsync(environmentId, fileId));

        await (await client.DeleteAsync($"/api/v1/files/{fileId}", Ct)).ExpectAsync(HttpStatusCode.NoContent);

        Assert.Empty(await ChunksAsync(environmentId, fileId));
        Assert.Null(await _server.Services.GetRequiredService<IBlobStore>().GetSizeAsync("uploads", $"{environmentId}/{fileId}", Ct));
        await (await client.GetAsync($"/api/v1/files/{fileId}", Ct)).ExpectErrorAsync(HttpStatusCode.NotFound, "file_not_found");
        await (await client.DeleteAsync($"/api/v1/files/{fileId}", Ct)).ExpectErrorAsync(HttpStatusCode.NotFound, "file_not_found");
    }

    [Fact]
    public async Task Files_of_another_environment_are_not_found()
    {
        var (_, owner) = await NewEnvironmentAsync("owner");
        var (_, stranger) = await NewEnvironmentAsync("stranger");
        var (file, _) = await Uploads.UploadAndWaitAsync(_server, owner, "private.txt", "Secret plans."u8.ToArray(), "text/plain");
        var fileId = file.GetProperty("id").GetGuid();

        await (await stranger.GetAsync($"/api/v1/files/{fileId}", Ct)).ExpectErrorAsync(HttpStatusCode.NotFound, "file_not_found");
        await (await stranger.GetAsync($"/api/v1/files/{fileId}/status", Ct)).ExpectErrorAsync(HttpStatusCode.NotFound, "file_not_found");
        await (await stranger.PostAsync($"/api/v1/files/{fileId}/confirm", null, Ct)).ExpectErrorAsync(HttpStatusCode.NotFound, "file_not_found");
        await (await stranger.DeleteAsync($"/api/v1/files/{fileId}", Ct)).ExpectErrorAsync(HttpStatusCode.NotFound, "file_not_found");
        var list = await (await stranger.GetAsync("/api/v1/files", Ct)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(0, list.GetProperty("total").GetInt32());
        await (await owner.GetAsync($"/api/v1/files/{fileId}", Ct)).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Unsupported_type_and_oversize_are_refused_at_init()
    {
        var (_, client) = await NewEnvironmentAsync("refused");

        await (await client.PostAsJsonAsync("/api/v1/files/init", new { filename = "tool.exe", size = 10, mime_type = "application/x-msdownload" }, Ct))
            .ExpectErrorAsync(HttpStatusCode.BadRequest, "invalid_file_type");
        await (await client.PostAsJsonAsync("/api/v1/files/init", new { filename = "huge.pdf", size = 100L * 1024 * 1024 + 1, mime_type = "application/pdf" }, Ct))
            .ExpectErrorAsync(HttpStatusCode.RequestEntityTooLarge, "file_too_large");
        await (await client.PostAsJsonAsync("/api/v1/files/init", new { filename = "zero.txt", size = 0, mime_type = "text/plain" }, Ct))
            .ExpectErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        await (await client.PostAsJsonAsync("/api/v1/files/init", new { filename = "a.txt", size = 3, mime_type = "text/plain", environment_slug = "someone-else" }, Ct))
            .ExpectErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await client.PostAsJsonAsync("/api/v1/files/init", new { filename = "a.txt", size = 3, folder_id = Guid.NewGuid() }, Ct))
            .ExpectErrorAsync(HttpStatusCode.NotFound, "folder_not_found");
    }

    [Fact]
    public async Task Tampered_or_foreign_upload_urls_get_403_and_store_nothing()
    {
        var (environmentId, client) = await NewEnvironmentAsync("tamper");
        var (otherEnvironmentId, _) = await NewEnvironmentAsync("tamper-other");
        var bytes = "hello"u8.ToArray();
        var init = await Uploads.InitAsync(client, "a.txt", bytes.Length, "text/plain");
        var url = init.GetProperty("upload_url").GetString()!;
        var other = await Uploads.InitAsync(client, "b.txt", bytes.Length, "text/plain");
        var otherId = other.GetProperty("file_id").GetString()!;

        string[] forged =
        [
            url.Replace("signature=", "signature=x", StringComparison.Ordinal),
            url.Replace(environmentId.ToString(), otherEnvironmentId.ToString(), StringComparison.Ordinal),
            url.Replace(init.GetProperty("file_id").GetString()!, otherId, StringComparison.Ordinal),
            url[..url.IndexOf("&signature=", StringComparison.Ordinal)],
            url.Replace("expires=", "expires=9", StringComparison.Ordinal),
        ];
        foreach (var attempt in forged)
        {
            await (await Uploads.PutAsync(_server, attempt, bytes, "text/plain")).ExpectErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        }

        var fileId = init.GetProperty("file_id").GetGuid();
        await (await client.PostAsync($"/api/v1/files/{fileId}/confirm", null, Ct)).ExpectErrorAsync(HttpStatusCode.Conflict, "conflict");
        Assert.Null(await _server.Services.GetRequiredService<IBlobStore>().GetSizeAsync("uploads", $"{environmentId}/{fileId}", Ct));
    }

    [Fact]
    public async Task Body_larger_than_declared_gets_413_and_stores_nothing()
    {
        var (environmentId, client) = await NewEnvironmentAsync("too-long");
        var init = await Uploads.InitAsync(client, "a.txt", 5, "text/plain");
        var fileId = init.GetProperty("file_id").GetGuid();

        await (await Uploads.PutAsync(_server, init.GetProperty("upload_url").GetString()!, "more than five bytes"u8.ToArray(), "text/plain"))
            .ExpectErrorAsync(HttpStatusCode.RequestEntityTooLarge, "file_too_large");

        Assert.Null(await _server.Services.GetRequiredService<IBlobStore>().GetSizeAsync("uploads", $"{environmentId}/{fileId}", Ct));
        var blobs = Path.Combine(_server.DataDirectory, "blobs");
        Assert.True(!Directory.Exists(blobs) || !Directory.EnumerateFiles(blobs, "*.partial", SearchOption.AllDirectories).Any());
        var file = await (await client.GetAsync($"/api/v1/files/{fileId}", Ct)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("uploading", file.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Listing_pages_and_filters_files()
    {
        var (_, client) = await NewEnvironmentAsync("listing-files");
        for (var i = 0; i < 5; i++)
        {
            await Uploads.InitAsync(client, $"f{i}.txt", 10, "text/plain", new { reference_id = i % 2 == 0 ? "even" : "odd" });
        }

        var page = await (await client.GetAsync("/api/v1/files?page=2&page_size=2", Ct)).ExpectAsync(HttpStatusCode.OK);
        var evens = await (await client.GetAsync("/api/v1/sdk/files?reference_id=even", Ct)).ExpectAsync(HttpStatusCode.OK);
        var uploading = await (await client.GetAsync("/api/v1/files?status=uploading&page_size=100", Ct)).ExpectAsync(HttpStatusCode.OK);
        var ready = await (await client.GetAsync("/api/v1/files?status=ready", Ct)).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(["has_more", "items", "page", "page_size", "total", "total_pages"], page.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(2, page.GetProperty("items").GetArrayLength());
        Assert.Equal(5, page.GetProperty("total").GetInt32());
        Assert.Equal(3, page.GetProperty("total_pages").GetInt32());
        Assert.True(page.GetProperty("has_more").GetBoolean());
        Assert.Equal(3, evens.GetProperty("total").GetInt32());
        Assert.All(evens.GetProperty("items").EnumerateArray(), f => Assert.Equal("even", f.GetProperty("reference_id").GetString()));
        Assert.Equal(5, uploading.GetProperty("total").GetInt32());
        Assert.Equal(0, ready.GetProperty("total").GetInt32());
    }

    [Theory]
    [InlineData("page=0")]
    [InlineData("page=x")]
    [InlineData("page_size=0")]
    [InlineData("page_size=101")]
    [InlineData("status=done")]
    [InlineData("folder_id=nope")]
    public async Task Out_of_range_list_parameters_are_422(string query)
    {
        var (_, client) = await NewEnvironmentAsync("bad-list-" + Math.Abs(query.GetHashCode(StringComparison.Ordinal) % 100000));

        await (await client.GetAsync("/api/v1/files?" + query, Ct)).ExpectErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
    }

    [Fact]
    public async Task Folders_have_a_default_unique_names_and_guarded_deletes()
    {
        var (_, client) = await NewEnvironmentAsync("folders");
        var (_, other) = await NewEnvironmentAsync("folders-other");

        var initial = await (await client.GetAsync("/api/v1/folders", Ct)).ExpectAsync(HttpStatusCode.OK);
        var defaultFolder = Assert.Single(initial.EnumerateArray());
        Assert.True(defaultFolder.GetProperty("is_default").GetBoolean());
        var reports = await (await client.PostAsJsonAsync("/api/v1/folders", new { name = "Reports" }, Ct)).ExpectAsync(HttpStatusCode.Created);
        var reportsId = reports.GetProperty("id").GetGuid();
        await (await client.PostAsJsonAsync("/api/v1/folders", new { name = "Reports" }, Ct)).ExpectErrorAsync(HttpStatusCode.Conflict, "conflict");
        await (await other.GetAsync($"/api/v1/folders/{reportsId}", Ct)).ExpectErrorAsync(HttpStatusCode.NotFound, "folder_not_found");
        await (await other.PostAsJsonAsync("/api/v1/files/init", new { filename = "x.txt", size = 3, folder_id = reportsId }, Ct)).ExpectErrorAsync(HttpStatusCode.NotFound, "folder_not_found");

        var (file, _) = await Uploads.UploadAndWaitAsync(_server, client, "r.txt", "Quarterly numbers."u8.ToArray(), "text/plain", new { folder_id = reportsId });
        Assert.Equal("Reports", file.GetProperty("folder_name").GetString());
        var inFolder = await (await client.GetAsync($"/api/v1/files?folder_id={reportsId}", Ct)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, inFolder.GetProperty("total").GetInt32());

        await (await client.DeleteAsync($"/api/v1/folders/{reportsId}", Ct)).ExpectErrorAsync(HttpStatusCode.Conflict, "conflict");
        await (await client.DeleteAsync($"/api/v1/folders/{defaultFolder.GetProperty("id").GetGuid()}", Ct)).ExpectErrorAsync(HttpStatusCode.Conflict, "conflict");
        await (await client.DeleteAsync($"/api/v1/folders/{reportsId}?recursive=true", Ct)).ExpectAsync(HttpStatusCode.NoContent);
        await (await client.GetAsync($"/api/v1/files/{file.GetProperty("id").GetGuid()}", Ct)).ExpectErrorAsync(HttpStatusCode.NotFound, "file_not_found");
    }

    [Fact]
    public async Task Usage_counts_requests_files_bytes_pages_chunks_and_embedding_tokens()
    {
        var (environmentId, client) = await NewEnvironmentAsync("usage");
        var bytes = "Alpha page.\fBeta page with more words in it."u8.ToArray();
        var (file, _) = await Uploads.UploadAndWaitAsync(_server, client, "usage.txt", bytes, "text/plain");
        using var admin = _server.AdminClient();

        var usage = await (await admin.GetAsync($"/api/admin/v1/environments/{environmentId}/usage", Ct)).ExpectAsync(HttpStatusCode.OK);

        var totals = usage.GetProperty("totals");
        Assert.Equal(1, totals.GetProperty("files").GetInt64());
        Assert.Equal(bytes.Length, totals.GetProperty("bytes").GetInt64());
        Assert.Equal(2, totals.GetProperty("pages").GetInt64());
        Assert.Equal(file.GetProperty("total_chunks").GetInt32(), totals.GetProperty("chunks").GetInt64());
        Assert.True(totals.GetProperty("embedding_tokens").GetInt64() > 5);
        Assert.True(totals.GetProperty("requests").GetInt64() >= 3);
        var day = Assert.Single(usage.GetProperty("days").EnumerateArray());
        Assert.Equal(DateTime.UtcNow.ToString("yyyy-MM-dd"), day.GetProperty("date").GetString());
        await (await admin.GetAsync($"/api/admin/v1/environments/{environmentId}/usage?from=2026-13-01", Ct)).ExpectErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
    }

    [Fact]
    public async Task Deleting_a_file_while_it_is_processing_leaves_no_chunks_or_blob_behind()
    {
        var (environmentId, client) = await NewEnvironmentAsync("delete-midway");
        var text = string.Join("\n\n", Enumerable.Range(0, 300).Select(i => $"Paragraph {i}: the inspection of valve {i} covers seals, pressure and the maintenance record."));
        var init = await Uploads.InitAsync(client, "long.txt", Encoding.UTF8.GetByteCount(text), "text/plain");
        var fileId = init.GetProperty("file_id").GetGuid();
        await (await Uploads.PutAsync(_server, init.GetProperty("upload_url").GetString()!, Encoding.UTF8.GetBytes(text), "text/plain")).ExpectAsync(HttpStatusCode.OK);
        await (await client.PostAsync($"/api/v1/files/{fileId}/confirm", null, Ct)).ExpectAsync(HttpStatusCode.OK);
        while ((await (await client.GetAsync($"/api/v1/files/{fileId}/status", Ct)).ExpectAsync(HttpStatusCode.OK)).GetProperty("status").GetString() is "uploaded" or "conversion_started" or "conversion_complete")
        {
            await Task.Delay(5, Ct);
        }

        await (await client.DeleteAsync($"/api/v1/files/{fileId}", Ct)).ExpectAsync(HttpStatusCode.NoContent);
        // Give a pipeline that was mid-step time to reach its next check; it must clean up after itself.
        await Task.Delay(TimeSpan.FromSeconds(3), Ct);

        Assert.Empty(await ChunksAsync(environmentId, fileId));
        Assert.Null(await _server.Services.GetRequiredService<IBlobStore>().GetSizeAsync("uploads", $"{environmentId}/{fileId}", Ct));
        await (await client.GetAsync($"/api/v1/files/{fileId}", Ct)).ExpectErrorAsync(HttpStatusCode.NotFound, "file_not_found");
    }
}
