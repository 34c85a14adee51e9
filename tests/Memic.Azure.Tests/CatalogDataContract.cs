using System.Text.Json;
using Memic.Core.Connectors;
using Memic.Core.Embeddings;
using Memic.Core.Errors;
using Memic.Core.Files;
using Memic.Core.Ingestion;
using Memic.Core.Keys;
using Memic.Core.Ports;
using Memic.Core.Quotas;
using Memic.Core.Tenancy;
using Memic.Core.Usage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Memic.Azure.Tests;

/// <summary>The catalog's per-environment ports, as one adapter provides them.</summary>
public sealed record CatalogPorts(
    ITenancyCatalog Tenancy, IKeyCatalog Keys, IFileCatalog Files, IFolderCatalog Folders, IUsageCatalog Usage, IPromptCatalog Prompts,
    IConnectorCatalog Connectors, IQuotaCatalog Quotas);

/// <summary>
/// What every catalog adapter must do with files, folders, usage and prompts: the part of the catalog the tenancy
/// contract does not cover. It runs against SqliteCatalog (the reference) and AzureTableCatalog alike.
/// </summary>
public abstract class CatalogDataContract
{
    protected static readonly DateTimeOffset T0 = new(2026, 11, 27, 17, 31, 0, TimeSpan.Zero);

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A catalog over empty storage.</summary>
    protected abstract CatalogPorts OpenCatalog();

    // Files

    [Fact]
    public async Task File_round_trips_every_field_to_the_tick()
    {
        var (catalog, environment, folder) = await SeedAsync();
        var file = NewFile(environment, folder, T0.AddTicks(1_234_567)) with
        {
            ErrorMessage = "bad page 3",
            ReferenceId = "ref-1",
            Metadata = JsonDocument.Parse("""{"category":"legal","tags":["a","b"],"n":1.5}""").RootElement,
            TotalChunks = 12,
            TotalEmbeddings = 12,
            EmbeddingDimension = 384,
            PageCount = 4,
            ContentHash = new string('a', 64),
            UpdatedAt = T0.AddTicks(7_654_321),
        };

        await catalog.Files.AddFileAsync(file, Ct);

        AssertSameFile(file, await catalog.Files.GetFileAsync(environment.Id, file.Id, Ct));
        Assert.Null(await catalog.Files.GetFileAsync(Guid.NewGuid(), file.Id, Ct));
        Assert.Null(await catalog.Files.GetFileAsync(environment.Id, Guid.NewGuid(), Ct));
    }

    [Fact]
    public async Task Adding_the_same_file_twice_is_a_conflict()
    {
        var (catalog, environment, folder) = await SeedAsync();
        var file = NewFile(environment, folder, T0);
        await catalog.Files.AddFileAsync(file, Ct);

        await Assert.ThrowsAsync<ConflictException>(() => catalog.Files.AddFileAsync(file, Ct));
    }

    [Fact]
    public async Task Files_are_listed_newest_first_then_by_id_and_paged_with_the_total()
    {
        var (catalog, environment, folder) = await SeedAsync();
        var files = new List<StoredFile>();
        foreach (var minutes in new[] { 3, 1, 4, 1, 5, 9, 2, 6 })
        {
            var file = NewFile(environment, folder, T0.AddMinutes(minutes));
            files.Add(file);
            await catalog.Files.AddFileAsync(file, Ct);
        }

        var expected = files.OrderByDescending(f => f.CreatedAt).ThenBy(f => f.Id.ToString("D"), StringComparer.Ordinal).Select(f => f.Id).ToList();

        var first = await catalog.Files.ListFilesAsync(environment.Id, new FileQuery(1, 3, null, null, null), Ct);
        var third = await catalog.Files.ListFilesAsync(environment.Id, new FileQuery(3, 3, null, null, null), Ct);
        var beyond = await catalog.Files.ListFilesAsync(environment.Id, new FileQuery(4, 3, null, null, null), Ct);

        Assert.Equal(8, first.Total);
        Assert.Equal(expected[..3], first.Items.Select(f => f.Id));
        Assert.Equal(expected[6..], third.Items.Select(f => f.Id));
        Assert.Empty(beyond.Items);
        Assert.Equal(8, beyond.Total);
    }

    [Fact]
    public async Task Listing_filters_by_status_folder_and_reference_together_and_never_shows_another_environment()
    {
        var (catalog, environment, folder) = await SeedAsync();
        var other = new Folder(Guid.NewGuid(), environment.Id, "other", false, T0);
        await catalog.Tenancy.AddFolderAsync(other, Ct);
        var (_, elsewhere, elsewhereFolder) = await SeedAsync(catalog, "elsewhere");
        var match = NewFile(environment, other, T0) with { Status = FileStatus.Ready, ReferenceId = "r1" };
        await catalog.Files.AddFileAsync(match, Ct);
        await catalog.Files.AddFileAsync(NewFile(environment, other, T0) with { Status = FileStatus.Uploaded, ReferenceId = "r1" }, Ct);
        await catalog.Files.AddFileAsync(NewFile(environment, folder, T0) with { Status = FileStatus.Ready, ReferenceId = "r1" }, Ct);
        await catalog.Files.AddFileAsync(NewFile(environment, other, T0) with { Status = FileStatus.Ready, ReferenceId = "r2" }, Ct);
        await catalog.Files.AddFileAsync(NewFile(elsewhere, elsewhereFolder, T0) with { Status = FileStatus.Ready, ReferenceId = "r1" }, Ct);

        var page = await catalog.Files.ListFilesAsync(environment.Id, new FileQuery(1, 50, FileStatus.Ready, other.Id, "r1"), Ct);
        var all = await catalog.Files.ListFilesAsync(environment.Id, new FileQuery(1, 50, null, null, null), Ct);
        var byReference = await catalog.Files.ListFilesAsync(environment.Id, new FileQuery(1, 50, null, null, "r1"), Ct);

        Assert.Equal([match.Id], page.Items.Select(f => f.Id));
        Assert.Equal(1, page.Total);
        Assert.Equal(4, all.Total);
        Assert.Equal(3, byReference.Total);
    }

    [Fact]
    public async Task Update_writes_the_mutable_fields_only_and_can_clear_them()
    {
        var (catalog, environment, folder) = await SeedAsync();
        var file = NewFile(environment, folder, T0) with { ErrorMessage = "failed once", PageCount = 3, EmbeddingDimension = 384 };
        await catalog.Files.AddFileAsync(file, Ct);

        var changed = file with
        {
            Name = "renamed.txt",
            Status = FileStatus.Ready,
            ErrorMessage = null,
            PageCount = null,
            EmbeddingDimension = null,
            TotalChunks = 7,
            ContentHash = "abc",
            UpdatedAt = T0.AddHours(1),
        };
        Assert.True(await catalog.Files.UpdateFileAsync(changed, Ct));
        Assert.False(await catalog.Files.UpdateFileAsync(changed with { Id = Guid.NewGuid() }, Ct));

        var stored = await catalog.Files.GetFileAsync(environment.Id, file.Id, Ct);
        AssertSameFile(changed with { Name = file.Name }, stored);
    }

    [Fact]
    public async Task Attempts_are_counted_atomically_and_no_status_write_undoes_them()
    {
        var (catalog, environment, folder) = await SeedAsync();
        var file = NewFile(environment, folder, T0) with { Status = FileStatus.Uploaded };
        await catalog.Files.AddFileAsync(file, Ct);

        var counts = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => catalog.Files.RecordAttemptAsync(environment.Id, file.Id, Ct)));
        Assert.True(await catalog.Files.UpdateFileAsync(file with { Status = FileStatus.ParsingStarted, Attempts = 0, UpdatedAt = T0.AddMinutes(1) }, Ct));
        Assert.True(await catalog.Files.TransitionAsync(environment.Id, file.Id, [FileStatus.ParsingStarted], FileStatus.ParsingComplete, T0.AddMinutes(2), Ct));

        Assert.Equal([1, 2, 3, 4, 5, 6], counts.Order());
        Assert.Equal(6, (await catalog.Files.GetFileAsync(environment.Id, file.Id, Ct))!.Attempts);
        Assert.Null(await catalog.Files.RecordAttemptAsync(environment.Id, Guid.NewGuid(), Ct));
        Assert.Null(await catalog.Files.RecordAttemptAsync(Guid.NewGuid(), file.Id, Ct));
    }

    [Fact]
    public async Task A_file_whose_runs_never_finished_MaxAttempts_times_is_failed_where_it_stopped_and_never_run_again()
    {
        var (catalog, environment, folder) = await SeedAsync();
        var file = NewFile(environment, folder, T0) with { Status = FileStatus.ParsingStarted, UpdatedAt = T0 };
        await catalog.Files.AddFileAsync(file, Ct);
        for (var run = 0; run < 3; run++)
        {
            await catalog.Files.RecordAttemptAsync(environment.Id, file.Id, Ct);
        }

        var pipeline = PipelineWithoutDocuments(catalog, new IngestionOptions { MaxAttempts = 3 });

        var sweep = await pipeline.StartOrResumeAsync(environment.Id, file.Id, TimeSpan.FromMinutes(35), Ct);
        var redelivered = await pipeline.StartOrResumeAsync(environment.Id, file.Id, TimeSpan.FromMinutes(35), Ct);
        await pipeline.RunAsync(environment.Id, file.Id, Ct);

        var failed = await catalog.Files.GetFileAsync(environment.Id, file.Id, Ct);
        Assert.Equal(IngestionStart.GaveUp, sweep);
        Assert.Equal(IngestionStart.NothingToDo, redelivered);
        Assert.Equal(FileStatus.ParsingFailed, failed!.Status);
        Assert.StartsWith("Processing this file stopped 3 times during parsing without finishing", failed.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(4, failed.Attempts);
        Assert.DoesNotContain((environment.Id, file.Id), await catalog.Files.ListUnfinishedFilesAsync(Ct));
    }

    [Fact]
    public async Task The_local_worker_fails_an_exhausted_file_on_resume_instead_of_running_it()
    {
        var (catalog, environment, folder) = await SeedAsync();
        var file = NewFile(environment, folder, T0) with { Status = FileStatus.EmbeddingStarted, UpdatedAt = T0 };
        await catalog.Files.AddFileAsync(file, Ct);
        await catalog.Files.RecordAttemptAsync(environment.Id, file.Id, Ct);

        await PipelineWithoutDocuments(catalog, new IngestionOptions { MaxAttempts = 1 }).RunAsync(environment.Id, file.Id, Ct);

        var failed = await catalog.Files.GetFileAsync(environment.Id, file.Id, Ct);
        Assert.Equal(FileStatus.EmbeddingFailed, failed!.Status);
        Assert.Contains("during embedding", failed.ErrorMessage, StringComparison.Ordinal);
    }

    /// <summary>
    /// A pipeline over this catalog whose document side is missing: the give-up path must decide from the catalog alone, and
    /// a run that went further would fail the test on the first null it touched.
    /// </summary>
    private static FileIngestionPipeline PipelineWithoutDocuments(CatalogPorts catalog, IngestionOptions options) => new(
        catalog.Files, catalog.Tenancy, blobs: null!, reader: null!, embedder: null!, model: null!, index: null!,
        new UsageMeter(catalog.Usage, Options.Create(new UsageOptions()), TimeProvider.System, NullLogger<UsageMeter>.Instance),
        Options.Create(new EmbeddingModelOptions()), Options.Create(options), TimeProvider.System, NullLogger<FileIngestionPipeline>.Instance);

    [Fact]
    public async Task Transition_moves_a_file_only_from_the_allowed_statuses()
    {
        var (catalog, environment, folder) = await SeedAsync();
        var file = NewFile(environment, folder, T0);
        await catalog.Files.AddFileAsync(file, Ct);

        Assert.False(await catalog.Files.TransitionAsync(environment.Id, file.Id, [FileStatus.Uploaded], FileStatus.ParsingStarted, T0.AddMinutes(1), Ct));
        Assert.True(await catalog.Files.TransitionAsync(environment.Id, file.Id, [FileStatus.Uploading, FileStatus.UploadFailed], FileStatus.Uploaded, T0.AddMinutes(2), Ct));
        Assert.False(await catalog.Files.TransitionAsync(environment.Id, Guid.NewGuid(), [FileStatus.Uploading], FileStatus.Uploaded, T0, Ct));
        Assert.False(await catalog.Files.TransitionAsync(Guid.NewGuid(), file.Id, [FileStatus.Uploaded], FileStatus.Ready, T0, Ct));

        var stored = await catalog.Files.GetFileAsync(environment.Id, file.Id, Ct);
        Assert.Equal(FileStatus.Uploaded, stored!.Status);
        Assert.Equal(T0.AddMinutes(2), stored.UpdatedAt);
    }

    [Fact]
    public async Task Of_concurrent_transitions_from_the_same_status_exactly_one_wins()
    {
        var (catalog, environment, folder) = await SeedAsync();
        var file = NewFile(environment, folder, T0);
        await catalog.Files.AddFileAsync(file, Ct);

        var moved = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            catalog.Files.TransitionAsync(environment.Id, file.Id, [FileStatus.Uploading], FileStatus.Uploaded, T0.AddSeconds(i), Ct)));

        Assert.Single(moved, m => m);
    }

    [Fact]
    public async Task A_claim_on_an_unchanged_row_moves_it_even_to_the_same_status_and_of_concurrent_claims_one_wins()
    {
        var (catalog, environment, folder) = await SeedAsync();
        var stalled = NewFile(environment, folder, T0) with { Status = FileStatus.EmbeddingStarted, UpdatedAt = T0.AddMinutes(1) };
        await catalog.Files.AddFileAsync(stalled, Ct);
        var read = await catalog.Files.GetFileAsync(environment.Id, stalled.Id, Ct);

        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => catalog.Files.TransitionIfUnchangedAsync(
            environment.Id, stalled.Id, FileStatus.EmbeddingStarted, read!.UpdatedAt, FileStatus.EmbeddingStarted, T0.AddHours(1).AddSeconds(i), Ct)));
        var afterwards = await catalog.Files.GetFileAsync(environment.Id, stalled.Id, Ct);
        var stale = await catalog.Files.TransitionIfUnchangedAsync(
            environment.Id, stalled.Id, FileStatus.EmbeddingStarted, read!.UpdatedAt, FileStatus.EmbeddingStarted, T0.AddHours(2), Ct);
        var otherStatus = await catalog.Files.TransitionIfUnchangedAsync(
            environment.Id, stalled.Id, FileStatus.ParsingStarted, afterwards!.UpdatedAt, FileStatus.ChunkingStarted, T0.AddHours(2), Ct);

        Assert.Single(claims, c => c);
        Assert.NotEqual(read.UpdatedAt, afterwards.UpdatedAt);
        Assert.Equal(FileStatus.EmbeddingStarted, afterwards.Status);
        Assert.False(stale);
        Assert.False(otherStatus);
    }

    [Fact]
    public async Task Unfinished_files_are_those_in_the_pipeline_in_every_environment_oldest_update_first()
    {
        var (catalog, environment, folder) = await SeedAsync();
        var (_, other, otherFolder) = await SeedAsync(catalog, "other");
        var parsing = NewFile(environment, folder, T0) with { Status = FileStatus.ParsingStarted, UpdatedAt = T0.AddMinutes(5) };
        var uploaded = NewFile(other, otherFolder, T0) with { Status = FileStatus.Uploaded, UpdatedAt = T0.AddMinutes(1) };
        foreach (var file in new[]
                 {
                     parsing, uploaded,
                     NewFile(environment, folder, T0) with { Status = FileStatus.Uploading },
                     NewFile(environment, folder, T0) with { Status = FileStatus.Ready },
                     NewFile(other, otherFolder, T0) with { Status = FileStatus.EmbeddingFailed },
                 })
        {
            await catalog.Files.AddFileAsync(file, Ct);
        }

        var unfinished = await catalog.Files.ListUnfinishedFilesAsync(Ct);

        Assert.Equal([(other.Id, uploaded.Id), (environment.Id, parsing.Id)], unfinished);
    }

    [Fact]
    public async Task Removing_a_folder_removes_its_files_and_frees_its_name()
    {
        var (catalog, environment, folder) = await SeedAsync();
        var doomed = new Folder(Guid.NewGuid(), environment.Id, "Contracts 2026/Q1 #draft?", false, T0);
        await catalog.Tenancy.AddFolderAsync(doomed, Ct);
        var inDoomed = NewFile(environment, doomed, T0);
        var kept = NewFile(environment, folder, T0);
        await catalog.Files.AddFileAsync(inDoomed, Ct);
        await catalog.Files.AddFileAsync(kept, Ct);

        Assert.Equal(1, await catalog.Files.CountFilesInFolderAsync(environment.Id, doomed.Id, Ct));
        Assert.Equal([inDoomed.Id], await catalog.Files.ListFileIdsInFolderAsync(environment.Id, doomed.Id, Ct));
        Assert.Equal(doomed, await catalog.Folders.GetFolderAsync(environment.Id, doomed.Id, Ct));
        Assert.Null(await catalog.Folders.GetFolderAsync(Guid.NewGuid(), doomed.Id, Ct));

        await catalog.Folders.RemoveFolderAsync(environment.Id, doomed.Id, Ct);
        await catalog.Folders.RemoveFolderAsync(environment.Id, doomed.Id, Ct);

        Assert.Null(await catalog.Folders.GetFolderAsync(environment.Id, doomed.Id, Ct));
        Assert.Null(await catalog.Files.GetFileAsync(environment.Id, inDoomed.Id, Ct));
        Assert.NotNull(await catalog.Files.GetFileAsync(environment.Id, kept.Id, Ct));
        Assert.Equal(0, await catalog.Files.CountFilesInFolderAsync(environment.Id, doomed.Id, Ct));
        await catalog.Tenancy.AddFolderAsync(doomed with { Id = Guid.NewGuid() }, Ct);
    }

    [Fact]
    public async Task Removing_a_file_is_idempotent()
    {
        var (catalog, environment, folder) = await SeedAsync();
        var file = NewFile(environment, folder, T0);
        await catalog.Files.AddFileAsync(file, Ct);

        await catalog.Files.RemoveFileAsync(environment.Id, file.Id, Ct);
        await catalog.Files.RemoveFileAsync(environment.Id, file.Id, Ct);

        Assert.Null(await catalog.Files.GetFileAsync(environment.Id, file.Id, Ct));
        Assert.Equal(0, (await catalog.Files.ListFilesAsync(environment.Id, new FileQuery(1, 10, null, null, null), Ct)).Total);
    }

    // Usage

    private static readonly DateTimeOffset Hour0 = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);

    private static async Task WriteUsageAsync(CatalogPorts catalog, Guid instanceId, Guid environmentId, DateTimeOffset hour, UsageCounters totals) =>
        await catalog.Usage.WriteUsageAsync(instanceId, [new UsageSlice(environmentId, hour, totals)], Ct);

    [Fact]
    public async Task Usage_sums_the_instances_per_hour_and_reads_a_half_open_range_in_order()
    {
        var (catalog, environment, _) = await SeedAsync();
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());
        await WriteUsageAsync(catalog, a, environment.Id, Hour0, new UsageCounters(Requests: 2, Bytes: 100));
        await WriteUsageAsync(catalog, b, environment.Id, Hour0, new UsageCounters(Requests: 1, Searches: 1, EmbeddingTokens: 50));
        await WriteUsageAsync(catalog, a, environment.Id, Hour0.AddHours(-1), new UsageCounters(Chats: 3));
        await WriteUsageAsync(catalog, a, environment.Id, Hour0.AddHours(1), new UsageCounters(Files: 1));

        var usage = await catalog.Usage.GetUsageAsync(environment.Id, Hour0.AddHours(-1), Hour0.AddHours(1), Ct);

        Assert.Equal(
            [
                new HourlyUsage(Hour0.AddHours(-1), new UsageCounters(Chats: 3)),
                new HourlyUsage(Hour0, new UsageCounters(Requests: 3, Searches: 1, Bytes: 100, EmbeddingTokens: 50)),
            ],
            usage);
        Assert.Empty(await catalog.Usage.GetUsageAsync(Guid.NewGuid(), Hour0.AddHours(-1), Hour0.AddHours(1), Ct));
    }

    [Fact]
    public async Task An_instance_writing_its_totals_again_replaces_them_and_never_counts_twice()
    {
        var (catalog, environment, _) = await SeedAsync();
        var instance = Guid.NewGuid();
        await WriteUsageAsync(catalog, instance, environment.Id, Hour0, new UsageCounters(Requests: 5, Chunks: 10));
        await WriteUsageAsync(catalog, instance, environment.Id, Hour0, new UsageCounters(Requests: 5, Chunks: 10));

        await Task.WhenAll(Enumerable.Range(0, 6).Select(_ =>
            WriteUsageAsync(catalog, instance, environment.Id, Hour0, new UsageCounters(Requests: 7, Chunks: 12))));

        var usage = Assert.Single(await catalog.Usage.GetUsageAsync(environment.Id, Hour0, Hour0.AddHours(1), Ct));
        Assert.Equal(new UsageCounters(Requests: 7, Chunks: 12), usage.Counters);
    }

    [Fact]
    public async Task Usage_of_a_removed_environment_is_dropped()
    {
        var (catalog, environment, _) = await SeedAsync();
        await catalog.Tenancy.RemoveEnvironmentAsync(environment.Id, Ct);

        await WriteUsageAsync(catalog, Guid.NewGuid(), environment.Id, Hour0, new UsageCounters(Requests: 1));

        Assert.Empty(await catalog.Usage.GetUsageAsync(environment.Id, Hour0, Hour0.AddHours(1), Ct));
    }

    // Quotas

    [Fact]
    public async Task Quotas_are_unlimited_until_set_and_setting_replaces_all_of_them()
    {
        var (catalog, environment, _) = await SeedAsync();
        var unset = await catalog.Quotas.GetQuotasAsync(environment.Id, Ct);

        await catalog.Quotas.SetQuotasAsync(environment.Id, new EnvironmentQuotas(MaxFiles: 10, MaxMonthlySearches: 1000), Ct);
        var first = await catalog.Quotas.GetQuotasAsync(environment.Id, Ct);
        await catalog.Quotas.SetQuotasAsync(environment.Id, new EnvironmentQuotas(MaxStorageBytes: 5_000_000_000, MaxMonthlyEmbeddingTokens: 1), Ct);
        var second = await catalog.Quotas.GetQuotasAsync(environment.Id, Ct);

        Assert.Equal(EnvironmentQuotas.Unlimited, unset);
        Assert.Equal(new EnvironmentQuotas(MaxFiles: 10, MaxMonthlySearches: 1000), first);
        Assert.Equal(new EnvironmentQuotas(MaxStorageBytes: 5_000_000_000, MaxMonthlyEmbeddingTokens: 1), second);
    }

    [Fact]
    public async Task Holdings_count_the_environments_files_and_their_sizes_only()
    {
        var (catalog, environment, folder) = await SeedAsync();
        var (_, other, otherFolder) = await SeedAsync(catalog, "other");
        await catalog.Files.AddFileAsync(NewFile(environment, folder, T0) with { Size = 100 }, Ct);
        await catalog.Files.AddFileAsync(NewFile(environment, folder, T0) with { Size = 23 }, Ct);
        await catalog.Files.AddFileAsync(NewFile(other, otherFolder, T0) with { Size = 1000 }, Ct);

        var held = await catalog.Quotas.GetHoldingsAsync(environment.Id, Ct);

        Assert.Equal(new EnvironmentHoldings(2, 123), held);
    }

    [Fact]
    public async Task Quotas_of_a_removed_environment_cannot_be_set()
    {
        var (catalog, environment, _) = await SeedAsync();
        await catalog.Tenancy.RemoveEnvironmentAsync(environment.Id, Ct);

        await Assert.ThrowsAsync<NotFoundException>(() => catalog.Quotas.SetQuotasAsync(environment.Id, new EnvironmentQuotas(MaxFiles: 1), Ct));
    }

    // Prompts

    [Fact]
    public async Task Prompt_versions_are_numbered_per_name_from_one_and_listed_by_name_then_number()
    {
        var (catalog, environment, _) = await SeedAsync();
        var (_, other, _) = await SeedAsync(catalog, "other");
        await catalog.Prompts.AddPromptVersionAsync(environment.Id, "summary", "v1", makeLive: true, T0, Ct);
        await catalog.Prompts.AddPromptVersionAsync(environment.Id, "answer", "a1", makeLive: false, T0, Ct);
        var second = await catalog.Prompts.AddPromptVersionAsync(environment.Id, "summary", "v2", makeLive: false, T0.AddMinutes(1), Ct);
        await catalog.Prompts.AddPromptVersionAsync(other.Id, "summary", "elsewhere", makeLive: true, T0, Ct);

        var versions = await catalog.Prompts.ListPromptVersionsAsync(environment.Id, Ct);

        Assert.Equal(new Memic.Core.Prompts.PromptVersion(environment.Id, "summary", 2, "v2", false, T0.AddMinutes(1), T0.AddMinutes(1)), second);
        Assert.Equal([("answer", 1), ("summary", 1), ("summary", 2)], versions.Select(v => (v.Name, v.VersionNumber)));
        Assert.Equal("v1", (await catalog.Prompts.GetLivePromptVersionAsync(environment.Id, "summary", Ct))!.Body);
        Assert.Null(await catalog.Prompts.GetLivePromptVersionAsync(environment.Id, "answer", Ct));
    }

    [Fact]
    public async Task Making_a_version_live_retires_the_previous_one()
    {
        var (catalog, environment, _) = await SeedAsync();
        await catalog.Prompts.AddPromptVersionAsync(environment.Id, "p", "one", makeLive: true, T0, Ct);
        await catalog.Prompts.AddPromptVersionAsync(environment.Id, "p", "two", makeLive: false, T0, Ct);

        var live = await catalog.Prompts.SetLivePromptVersionAsync(environment.Id, "p", 2, T0.AddHours(1), Ct);
        var third = await catalog.Prompts.AddPromptVersionAsync(environment.Id, "p", "three", makeLive: true, T0.AddHours(2), Ct);

        Assert.Equal((2, true, T0.AddHours(1)), (live!.VersionNumber, live.IsLive, live.UpdatedAt));
        var versions = await catalog.Prompts.ListPromptVersionsAsync(environment.Id, Ct);
        Assert.Equal([(1, false, T0.AddHours(1)), (2, false, T0.AddHours(2)), (3, true, T0.AddHours(2))], versions.Select(v => (v.VersionNumber, v.IsLive, v.UpdatedAt)));
        Assert.Equal(third, await catalog.Prompts.GetLivePromptVersionAsync(environment.Id, "p", Ct));
    }

    [Fact]
    public async Task Setting_live_an_unknown_or_already_live_version_changes_nothing()
    {
        var (catalog, environment, _) = await SeedAsync();
        var first = await catalog.Prompts.AddPromptVersionAsync(environment.Id, "p", "one", makeLive: true, T0, Ct);

        Assert.Null(await catalog.Prompts.SetLivePromptVersionAsync(environment.Id, "p", 2, T0.AddHours(1), Ct));
        Assert.Null(await catalog.Prompts.SetLivePromptVersionAsync(environment.Id, "q", 1, T0.AddHours(1), Ct));
        Assert.Equal(first, await catalog.Prompts.SetLivePromptVersionAsync(environment.Id, "p", 1, T0.AddHours(1), Ct));
        Assert.Equal(first, await catalog.Prompts.GetLivePromptVersionAsync(environment.Id, "p", Ct));
    }

    [Fact]
    public async Task Concurrent_adds_get_distinct_numbers_and_leave_one_live_version()
    {
        var (catalog, environment, _) = await SeedAsync();

        var added = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            catalog.Prompts.AddPromptVersionAsync(environment.Id, "busy", $"body {i}", makeLive: i % 2 == 0, T0, Ct)));

        Assert.Equal(Enumerable.Range(1, 8), added.Select(v => v.VersionNumber).Order());
        var versions = await catalog.Prompts.ListPromptVersionsAsync(environment.Id, Ct);
        Assert.Equal(8, versions.Count);
        Assert.Single(versions, v => v.IsLive);
    }

    [Fact]
    public async Task Concurrent_live_switches_leave_exactly_one_live_version()
    {
        var (catalog, environment, _) = await SeedAsync();
        for (var i = 0; i < 6; i++)
        {
            await catalog.Prompts.AddPromptVersionAsync(environment.Id, "p", $"body {i}", makeLive: false, T0, Ct);
        }

        await Task.WhenAll(Enumerable.Range(1, 6).Select(n =>
            catalog.Prompts.SetLivePromptVersionAsync(environment.Id, "p", n, T0.AddMinutes(n), Ct)));

        var versions = await catalog.Prompts.ListPromptVersionsAsync(environment.Id, Ct);
        var live = Assert.Single(versions, v => v.IsLive);
        Assert.Equal(live, await catalog.Prompts.GetLivePromptVersionAsync(environment.Id, "p", Ct));
    }

    [Fact]
    public async Task Removing_a_prompt_counts_its_versions_and_numbering_starts_again()
    {
        var (catalog, environment, _) = await SeedAsync();
        await catalog.Prompts.AddPromptVersionAsync(environment.Id, "p", "one", makeLive: true, T0, Ct);
        await catalog.Prompts.AddPromptVersionAsync(environment.Id, "p", "two", makeLive: true, T0, Ct);
        await catalog.Prompts.AddPromptVersionAsync(environment.Id, "kept", "k", makeLive: true, T0, Ct);

        Assert.Equal(2, await catalog.Prompts.RemovePromptAsync(environment.Id, "p", Ct));
        Assert.Equal(0, await catalog.Prompts.RemovePromptAsync(environment.Id, "p", Ct));

        Assert.Null(await catalog.Prompts.GetLivePromptVersionAsync(environment.Id, "p", Ct));
        Assert.Equal(1, (await catalog.Prompts.AddPromptVersionAsync(environment.Id, "p", "again", makeLive: false, T0, Ct)).VersionNumber);
        Assert.NotNull(await catalog.Prompts.GetLivePromptVersionAsync(environment.Id, "kept", Ct));
    }

    [Fact]
    public async Task Adding_a_prompt_version_to_an_unknown_environment_is_not_found()
    {
        var (catalog, _, _) = await SeedAsync();

        await Assert.ThrowsAsync<NotFoundException>(() =>
            catalog.Prompts.AddPromptVersionAsync(Guid.NewGuid(), "p", "body", makeLive: true, T0, Ct));
    }

    [Fact]
    public async Task Longest_prompt_bodies_round_trip_intact()
    {
        var (catalog, environment, _) = await SeedAsync();
        var body = string.Concat(Enumerable.Repeat("Résumé {{question}} 🙂 ", 5_000))[..Memic.Core.Prompts.PromptTemplate.MaxBodyLength];
        if (char.IsHighSurrogate(body[^1]))
        {
            body = body[..^1] + "x";
        }

        await catalog.Prompts.AddPromptVersionAsync(environment.Id, "long", body, makeLive: true, T0, Ct);

        Assert.Equal(body, (await catalog.Prompts.GetLivePromptVersionAsync(environment.Id, "long", Ct))!.Body);
    }

    // Environment removal

    [Fact]
    public async Task Removing_an_environment_removes_its_files_folders_keys_usage_and_prompts_but_nothing_of_others()
    {
        var (catalog, doomed, doomedFolder) = await SeedAsync();
        var (_, kept, keptFolder) = await SeedAsync(catalog, "kept");
        foreach (var (environment, folder) in new[] { (doomed, doomedFolder), (kept, keptFolder) })
        {
            await catalog.Files.AddFileAsync(NewFile(environment, folder, T0), Ct);
            await WriteUsageAsync(catalog, Guid.NewGuid(), environment.Id, Hour0, new UsageCounters(Requests: 1));
            await catalog.Quotas.SetQuotasAsync(environment.Id, new EnvironmentQuotas(MaxFiles: 3), Ct);
            await catalog.Prompts.AddPromptVersionAsync(environment.Id, "p", "body", makeLive: true, T0, Ct);
            await catalog.Keys.AddKeyAsync(NewKey(environment.Id), Ct);
        }

        var doomedKey = (await catalog.Keys.ListKeysAsync(doomed.Id, Ct)).Single();
        await catalog.Tenancy.RemoveEnvironmentAsync(doomed.Id, Ct);

        var everything = new FileQuery(1, 50, null, null, null);
        Assert.Equal(0, (await catalog.Files.ListFilesAsync(doomed.Id, everything, Ct)).Total);
        Assert.Empty(await catalog.Tenancy.ListFoldersAsync(doomed.Id, Ct));
        Assert.Empty(await catalog.Usage.GetUsageAsync(doomed.Id, Hour0, Hour0.AddHours(1), Ct));
        Assert.Equal(EnvironmentQuotas.Unlimited, await catalog.Quotas.GetQuotasAsync(doomed.Id, Ct));
        Assert.Empty(await catalog.Prompts.ListPromptVersionsAsync(doomed.Id, Ct));
        Assert.Null(await catalog.Keys.GetKeyAsync(doomedKey.Info.Id, Ct));
        Assert.Null(await catalog.Tenancy.FindEnvironmentAsync(doomed.ProjectId, doomed.Slug, Ct));
        Assert.Equal(1, (await catalog.Files.ListFilesAsync(kept.Id, everything, Ct)).Total);
        Assert.Single(await catalog.Usage.GetUsageAsync(kept.Id, Hour0, Hour0.AddHours(1), Ct));
        Assert.Equal(new EnvironmentQuotas(MaxFiles: 3), await catalog.Quotas.GetQuotasAsync(kept.Id, Ct));
        Assert.Single(await catalog.Prompts.ListPromptVersionsAsync(kept.Id, Ct));
        Assert.Single(await catalog.Keys.ListKeysAsync(kept.Id, Ct));

        await catalog.Tenancy.AddEnvironmentAsync(doomed with { Id = Guid.NewGuid() }, Ct);
    }

    // Connectors

    [Fact]
    public async Task Connector_round_trips_its_schema_and_is_found_by_id_alone()
    {
        var (catalog, environment, _) = await SeedAsync();
        var connector = NewConnector(environment, T0.AddTicks(42));

        await catalog.Connectors.AddConnectorAsync(connector, Ct);

        AssertSameConnector(connector, await catalog.Connectors.GetConnectorAsync(connector.Id, Ct));
        AssertSameConnector(connector, Assert.Single(await catalog.Connectors.ListConnectorsAsync(environment.Id, Ct)));
        Assert.Null(await catalog.Connectors.GetConnectorAsync(Guid.NewGuid(), Ct));
    }

    [Fact]
    public async Task Connectors_are_listed_per_environment_oldest_first()
    {
        var (catalog, environment, _) = await SeedAsync();
        var (_, elsewhere, _) = await SeedAsync(catalog, "elsewhere");
        var later = NewConnector(environment, T0.AddMinutes(2));
        var earlier = NewConnector(environment, T0.AddMinutes(1));
        var foreign = NewConnector(elsewhere, T0);
        foreach (var connector in new[] { later, earlier, foreign })
        {
            await catalog.Connectors.AddConnectorAsync(connector, Ct);
        }

        Assert.Equal([earlier.Id, later.Id], (await catalog.Connectors.ListConnectorsAsync(environment.Id, Ct)).Select(c => c.Id));
        Assert.Equal([foreign.Id], (await catalog.Connectors.ListConnectorsAsync(elsewhere.Id, Ct)).Select(c => c.Id));
    }

    [Fact]
    public async Task Update_replaces_status_error_schema_and_refresh_time_and_remove_is_idempotent()
    {
        var (catalog, environment, _) = await SeedAsync();
        var connector = NewConnector(environment, T0);
        await catalog.Connectors.AddConnectorAsync(connector, Ct);
        var failed = connector with { Status = ConnectorStatus.Failed, Error = "refused", Tables = [], RefreshedAt = T0.AddHours(1) };

        await catalog.Connectors.UpdateConnectorAsync(failed, Ct);
        var stored = await catalog.Connectors.GetConnectorAsync(connector.Id, Ct);
        await catalog.Connectors.RemoveConnectorAsync(connector.Id, Ct);
        await catalog.Connectors.RemoveConnectorAsync(connector.Id, Ct);

        AssertSameConnector(failed, stored);
        Assert.Null(await catalog.Connectors.GetConnectorAsync(connector.Id, Ct));
        Assert.Empty(await catalog.Connectors.ListConnectorsAsync(environment.Id, Ct));
    }

    [Fact]
    public async Task Connectors_go_with_their_environment_and_cannot_be_added_to_a_missing_one()
    {
        var (catalog, environment, _) = await SeedAsync();
        var connector = NewConnector(environment, T0);
        await catalog.Connectors.AddConnectorAsync(connector, Ct);

        await catalog.Tenancy.RemoveEnvironmentAsync(environment.Id, Ct);

        Assert.Null(await catalog.Connectors.GetConnectorAsync(connector.Id, Ct));
        await Assert.ThrowsAsync<NotFoundException>(() => catalog.Connectors.AddConnectorAsync(NewConnector(environment, T0), Ct));
    }

    private static Connector NewConnector(MemicEnvironment environment, DateTimeOffset createdAt) =>
        new(Guid.NewGuid(), environment.Id, "shop", "postgresql", "Orders and customers", ConnectorStatus.Ready, null, ["public.orders", "public.customers"],
            [
                new ConnectorTable("public", "orders", [new("id", "integer"), new("customer_id", "integer"), new("total", "numeric(10,2)")], ["id"],
                    [new ConnectorForeignKey(["customer_id"], "public", "customers", ["id"])]),
                new ConnectorTable("public", "customers", [new("id", "integer"), new("name", "text")], ["id"], []),
            ],
            createdAt, createdAt.AddSeconds(1));

    private static void AssertSameConnector(Connector expected, Connector? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(JsonSerializer.Serialize(expected with { Tables = [] }), JsonSerializer.Serialize(actual with { Tables = [] }));
        Assert.Equal(ConnectorJson.Tables(expected.Tables), ConnectorJson.Tables(actual.Tables));
    }

    protected async Task<(CatalogPorts Catalog, MemicEnvironment Environment, Folder DefaultFolder)> SeedAsync(CatalogPorts? existing = null, string slug = "production")
    {
        var catalog = existing ?? OpenCatalog();
        var project = await catalog.Tenancy.GetDefaultProjectAsync(Ct);
        if (project is null)
        {
            var organization = new Organization(Guid.NewGuid(), "Acme", T0);
            await catalog.Tenancy.AddOrganizationAsync(organization, isDefault: true, Ct);
            project = new Project(Guid.NewGuid(), "Docs", organization.Id, true, T0, T0);
            await catalog.Tenancy.AddProjectAsync(project, isDefault: true, Ct);
        }

        var environment = new MemicEnvironment(Guid.NewGuid(), slug, slug, project.Id, project.OrganizationId, EnvironmentStatus.Ready, T0, T0);
        await catalog.Tenancy.AddEnvironmentAsync(environment, Ct);
        var folder = new Folder(Guid.NewGuid(), environment.Id, "default", true, T0);
        await catalog.Tenancy.AddFolderAsync(folder, Ct);
        return (catalog, environment, folder);
    }

    protected static StoredFile NewFile(MemicEnvironment environment, Folder folder, DateTimeOffset createdAt) => new()
    {
        Id = Guid.NewGuid(),
        EnvironmentId = environment.Id,
        FolderId = folder.Id,
        Name = "report.pdf",
        OriginalFilename = "scans/report.pdf",
        Size = 1234,
        MimeType = "application/pdf",
        Status = FileStatus.Uploading,
        CreatedAt = createdAt,
        UpdatedAt = createdAt,
    };

    protected static ApiKeyRecord NewKey(Guid environmentId)
    {
        var key = ApiKeyFormat.NewEnvironmentKey();
        return new ApiKeyRecord(new ApiKeyInfo(Guid.NewGuid(), environmentId, "k", ApiKeyFormat.DisplayPrefix(key), T0, null), ApiKeyFormat.Hash(key));
    }

    /// <summary>Record equality would compare <see cref="JsonElement"/>s by document, so metadata is compared by its text.</summary>
    private static void AssertSameFile(StoredFile expected, StoredFile? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected with { Metadata = null }, actual with { Metadata = null });
        Assert.Equal(expected.Metadata?.GetRawText(), actual.Metadata?.GetRawText());
    }
}
