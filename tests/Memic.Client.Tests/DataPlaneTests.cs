using System.Net;
using System.Text.Json.Nodes;
using Memic.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Memic.Client.Tests;

/// <summary>Every data-plane route family through <see cref="MemicClient"/>, against the real local server.</summary>
public sealed class DataPlaneTests(LocalServer server)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Me_and_projects_describe_the_keys_own_environment()
    {
        var (environment, client) = await server.NewEnvironmentAsync("me");
        using (client)
        {
            var me = await client.GetMeAsync(Ct);
            var projects = await client.ListProjectsAsync(Ct);

            Assert.Equal(environment.Id, me.EnvironmentId);
            Assert.Equal(environment.Slug, me.EnvironmentSlug);
            Assert.Contains(projects, p => p.Id == me.ProjectId && p.OrganizationId == me.OrganizationId);
            Assert.True(await client.IsHealthyAsync(Ct));
        }
    }

    [Fact]
    public async Task Upload_reports_every_byte_sent_and_waits_until_the_file_is_searchable_and_chat_cites_it()
    {
        var (_, client) = await server.NewEnvironmentAsync("upload");
        using (client)
        {
            var bytes = Documents.Text(Documents.LeavePolicy);
            var reports = new List<long>();
            var progress = new ListProgress(reports);

            var file = await client.UploadAsync(new MemoryStream(bytes), "leave.txt",
                new UploadFileOptions { WaitUntilReady = true, PollInterval = TimeSpan.FromMilliseconds(100), ReferenceId = "hr-7" }, progress, Ct);
            var found = await client.SearchAsync(new SearchRequest("how many weeks of paid parental leave") { TopK = 3 }, Ct);
            var answer = await client.ChatAsync(new ChatRequest { Question = "How many weeks of parental leave are paid?" }, Ct);

            Assert.Equal(FileStatus.Ready, file.Status);
            Assert.Equal("leave.txt", file.OriginalFilename);
            Assert.Equal("hr-7", file.ReferenceId);
            Assert.Equal(bytes.Length, reports[^1]);
            Assert.Equal(reports.Order(), reports);
            var hit = found.Results.Semantic[0];
            Assert.Equal(file.Id, hit.FileId);
            Assert.InRange(hit.Score, 0.7, 1.0);
            Assert.Contains("twenty weeks", hit.Content, StringComparison.Ordinal);
            Assert.Equal(SearchRoute.Semantic, found.Routing.Route);
            Assert.False(string.IsNullOrWhiteSpace(answer.Answer));
            Assert.Contains(answer.Citations, c => c.FileId == file.Id);
        }
    }

    [Fact]
    public async Task A_megabyte_upload_reports_progress_in_steps_and_waiting_on_a_broken_pdf_raises_with_the_reason()
    {
        var (_, client) = await server.NewEnvironmentAsync("broken");
        using (client)
        {
            var bytes = new byte[1 << 20];
            new Random(7).NextBytes(bytes);
            var reports = new List<long>();

            var error = await Assert.ThrowsAsync<FileProcessingFailedException>(() => client.UploadAsync(new MemoryStream(bytes), "broken.pdf",
                new UploadFileOptions { WaitUntilReady = true, PollInterval = TimeSpan.FromMilliseconds(100) }, new ListProgress(reports), Ct));

            Assert.True(reports.Count > 4, $"only {reports.Count} progress reports for 1 MiB");
            Assert.Equal(reports.Order(), reports);
            Assert.Equal(bytes.Length, reports[^1]);
            Assert.True(error.File.Status.IsFailed());
            Assert.False(string.IsNullOrWhiteSpace(error.File.ErrorMessage));
        }
    }

    [Fact]
    public async Task Listing_files_pages_through_every_file_and_filters_by_reference_id()
    {
        var (_, client) = await server.NewEnvironmentAsync("paging");
        using (client)
        {
            var uploaded = new List<Guid>();
            for (var i = 0; i < 5; i++)
            {
                var file = await client.UploadFileMultipartAsync(new MemoryStream(Documents.Numbered(i)), $"note-{i}.txt",
                    new UploadFileOptions { ReferenceId = i == 3 ? "the-third" : null }, Ct);
                uploaded.Add(file.Id);
            }

            var firstPage = await client.GetFilesPageAsync(1, 2, cancellationToken: Ct);
            var all = await client.ListFilesAsync(pageSize: 2, cancellationToken: Ct).ToListAsync(Ct);
            var filtered = await client.ListFilesAsync(new FileListFilter(ReferenceId: "the-third"), cancellationToken: Ct).ToListAsync(Ct);

            Assert.Equal((5, 3, true), (firstPage.Total, firstPage.TotalPages, firstPage.HasMore));
            Assert.Equal(2, firstPage.Items.Count);
            Assert.Equal(uploaded.Order(), all.Select(f => f.Id).Order());
            Assert.Equal(uploaded[3], Assert.Single(filtered).Id);
        }
    }

    [Fact]
    public async Task A_deleted_file_is_reported_not_found_with_its_code_and_request_id()
    {
        var (_, client) = await server.NewEnvironmentAsync("delete");
        using (client)
        {
            var ticket = await client.InitFileAsync(new InitFileRequest("gone.txt", 5, "text/plain"), Ct);
            await client.PutFileContentAsync(ticket.UploadUrl, new MemoryStream(Documents.Text("hello")), 5, "text/plain", cancellationToken: Ct);
            var confirmed = await client.ConfirmFileAsync(ticket.FileId, Ct);

            await client.DeleteFileAsync(confirmed.Id, Ct);
            var error = await Assert.ThrowsAsync<MemicFileNotFoundException>(() => client.GetFileAsync(confirmed.Id, Ct));

            Assert.Equal(ticket.FileId, confirmed.Id);
            Assert.Equal(3600, ticket.ExpiresIn);
            Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
            Assert.Equal("file_not_found", error.Code);
            Assert.False(string.IsNullOrEmpty(error.RequestId));
        }
    }

    [Fact]
    public async Task Folders_are_created_listed_and_deleted_only_recursively_when_not_empty()
    {
        var (_, client) = await server.NewEnvironmentAsync("folders");
        using (client)
        {
            var folder = await client.CreateFolderAsync("reports", Ct);
            await client.UploadFileMultipartAsync(new MemoryStream(Documents.Numbered(1)), "in-folder.txt", new UploadFileOptions { FolderId = folder.Id }, Ct);

            var listed = await client.ListFoldersAsync(Ct);
            var fetched = await client.GetFolderAsync(folder.Id, Ct);
            var conflict = await Assert.ThrowsAsync<ConflictException>(() => client.DeleteFolderAsync(folder.Id, cancellationToken: Ct));
            await client.DeleteFolderAsync(folder.Id, recursive: true, Ct);
            var gone = await Assert.ThrowsAsync<FolderNotFoundException>(() => client.GetFolderAsync(folder.Id, Ct));

            Assert.Contains(listed, f => f.IsDefault);
            Assert.Equal("reports", fetched.Name);
            Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
            Assert.Equal("folder_not_found", gone.Code);
        }
    }

    [Fact]
    public async Task Prompts_created_through_the_admin_client_are_served_live_until_deleted()
    {
        var (environment, client) = await server.NewEnvironmentAsync("prompts");
        using var admin = server.Admin();
        using (client)
        {
            await admin.CreatePromptVersionAsync(environment.Id, "greeting", "Hello {{ name }} from {{team}}", cancellationToken: Ct);
            var second = await admin.CreatePromptVersionAsync(environment.Id, "greeting", "Hi {{name}}", makeLive: false, Ct);
            var firstLive = await client.GetPromptAsync("greeting", Ct);
            await admin.SetLivePromptVersionAsync(environment.Id, "greeting", second.VersionNumber, Ct);
            var secondLive = await client.GetPromptAsync("greeting", Ct);
            var listed = Assert.Single(await admin.ListPromptsAsync(environment.Id, Ct));
            await admin.DeletePromptAsync(environment.Id, "greeting", Ct);

            Assert.Equal(["name", "team"], firstLive.Variables);
            Assert.Equal((2, "Hi {{name}}"), (secondLive.VersionNumber, secondLive.Body));
            Assert.Equal((2, 2), (listed.LiveVersion, listed.Versions.Count));
            await Assert.ThrowsAsync<PromptNotFoundException>(() => client.GetPromptAsync("greeting", Ct));
        }
    }

    [Fact]
    public async Task A_request_with_several_invalid_fields_raises_one_validation_exception_listing_each()
    {
        using var client = new MemicClient(server.Options());

        var error = await Assert.ThrowsAsync<MemicValidationException>(() =>
            client.SearchAsync(new SearchRequest("") { TopK = 500, MinScore = 3 }, Ct));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.StatusCode);
        Assert.Equal("validation_error", error.Code);
        Assert.Superset(new HashSet<string> { "body.query", "body.top_k", "body.min_score" }, error.FieldErrors.Select(e => e.Path).ToHashSet());
        Assert.All(error.FieldErrors, e => Assert.False(string.IsNullOrEmpty(e.Msg)));
        Assert.Contains("top_k", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_error_code_raises_its_own_exception_type()
    {
        using var client = new MemicClient(server.Options());
        using var badKey = new MemicClient(server.Options("mk_live_not-a-real-key"));

        await Assert.ThrowsAsync<InvalidApiKeyException>(() => badKey.GetMeAsync(Ct));
        await Assert.ThrowsAsync<ForbiddenException>(() => client.SearchAsync(new SearchRequest("anything") { EnvironmentSlug = "someone-else" }, Ct));
        await Assert.ThrowsAsync<InvalidFileTypeException>(() => client.InitFileAsync(new InitFileRequest("tool.exe", 10, "application/x-msdownload"), Ct));
        await Assert.ThrowsAsync<FileTooLargeException>(() => client.InitFileAsync(new InitFileRequest("huge.txt", 10L << 30, "text/plain"), Ct));
        await Assert.ThrowsAsync<PromptNotFoundException>(() => client.GetPromptAsync("no-such-prompt", Ct));
    }

    [Fact]
    public async Task Clients_registered_through_dependency_injection_reach_the_server()
    {
        var services = new ServiceCollection();
        services.AddMemicClient(options =>
        {
            options.ApiKey = server.ProductionApiKey;
            options.BaseUrl = server.Url;
            options.AdminKey = server.AdminKey;
        });
        await using var provider = services.BuildServiceProvider();

        var me = await provider.GetRequiredService<MemicClient>().GetMeAsync(Ct);
        var environments = await provider.GetRequiredService<MemicAdminClient>().ListEnvironmentsAsync(Ct);

        Assert.Equal("production", me.EnvironmentSlug);
        Assert.Contains(environments, e => e.Id == me.EnvironmentId);
    }

    [Fact]
    public async Task The_raw_response_capture_holds_the_json_as_it_came()
    {
        using var client = new MemicClient(server.Options());
        using var capture = MemicResponseCapture.Begin();

        await client.GetMeAsync(Ct);

        var raw = JsonNode.Parse(capture.LastBody!)!.AsObject();
        Assert.Equal(
            ["organization_id", "organization_name", "project_id", "project_name", "environment_id", "environment_slug"],
            raw.Select(p => p.Key));
    }

    private sealed class ListProgress(List<long> reports) : IProgress<long>
    {
        public void Report(long value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }
}
