using System.ComponentModel;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Memic.Client;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Memic.Cli.Commands;

internal sealed class UploadSettings : MemicSettings
{
    [CommandArgument(0, "<paths>")]
    [Description("Files and directories (directories are walked recursively)")]
    public string[] Paths { get; init; } = [];

    [CommandOption("--folder")]
    [Description("Folder name or id; a name that does not exist yet is created (default: the environment's default folder)")]
    public string? Folder { get; init; }

    [CommandOption("--wait")]
    [Description("Wait until every file is processed (ready or failed)")]
    public bool Wait { get; init; }

    [CommandOption("--concurrency")]
    [Description("Files uploaded at once")]
    [DefaultValue(4)]
    public int Concurrency { get; init; } = 4;

    public override ValidationResult Validate() =>
        Concurrency is < 1 or > 32 ? ValidationResult.Error("--concurrency must be between 1 and 32") : ValidationResult.Success();
}

/// <summary>
/// Uploads files concurrently with the 3-step flow. Each file carries the SHA-256 of its content in its metadata
/// (<see cref="HashKey"/>), so a re-run skips every file the folder already holds with the same content, whatever
/// its name, and never duplicates it; files that failed or never finished uploading are sent again.
/// </summary>
internal sealed class UploadCommand : MemicCommand<UploadSettings>
{
    public const string HashKey = "content_sha256";

    protected override async Task<int> RunAsync(UploadSettings settings, CancellationToken cancellationToken)
    {
        var paths = ExpandPaths(settings.Paths);
        using var client = Clients.DataPlane();
        var folder = await ResolveFolderAsync(client, settings.Folder, cancellationToken);
        var items = new UploadItem[paths.Count];
        await Parallel.ForAsync(0, paths.Count, new ParallelOptions { MaxDegreeOfParallelism = settings.Concurrency, CancellationToken = cancellationToken },
            async (i, ct) => items[i] = new UploadItem(paths[i], new FileInfo(paths[i]).Length, await HashAsync(paths[i], ct)));
        var present = await PresentFilesByHashAsync(client, folder.Id, cancellationToken);

        var outcomes = new Outcome[items.Length];
        var toUpload = new List<int>();
        var firstByHash = new Dictionary<string, int>();
        for (var i = 0; i < items.Length; i++)
        {
            if (present.TryGetValue(items[i].Hash, out var existing))
            {
                outcomes[i] = new Outcome(OutcomeKind.Skipped, existing.Id, existing.Status, existing.Json, "already present");
            }
            else if (firstByHash.TryGetValue(items[i].Hash, out var first))
            {
                outcomes[i] = new Outcome(OutcomeKind.Skipped, null, null, null, $"same content as {items[first].Path}");
            }
            else
            {
                firstByHash[items[i].Hash] = i;
                toUpload.Add(i);
            }
        }

        var showProgress = !settings.Json && toUpload.Count > 0 && Terminal.Error.Profile.Capabilities.Interactive;
        if (showProgress)
        {
            await Terminal.Error.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
                .StartAsync(async progress =>
                {
                    var overall = progress.AddTask("[bold]all files[/]", maxValue: Math.Max(1, toUpload.Sum(i => items[i].Size)));
                    var tasks = toUpload.ToDictionary(i => i, i => progress.AddTask(Markup.Escape(Path.GetFileName(items[i].Path)), maxValue: Math.Max(1, items[i].Size)));
                    await UploadAllAsync(client, items, toUpload, outcomes, folder.Id, settings, tasks, overall, cancellationToken);
                    overall.Value = overall.MaxValue;
                });
        }
        else
        {
            await UploadAllAsync(client, items, toUpload, outcomes, folder.Id, settings, null, null, cancellationToken);
        }

        if (settings.Wait)
        {
            await WaitForSkippedAsync(client, outcomes, settings.Concurrency, cancellationToken);
        }

        Report(items, outcomes, settings.Json);
        return outcomes.Any(o => o.Kind == OutcomeKind.Failed) ? ExitCodes.Failed : ExitCodes.Success;
    }

    private static async Task UploadAllAsync(
        MemicClient client, UploadItem[] items, List<int> toUpload, Outcome[] outcomes, Guid folderId, UploadSettings settings,
        Dictionary<int, ProgressTask>? tasks, ProgressTask? overall, CancellationToken cancellationToken)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = settings.Concurrency, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(toUpload, parallel, async (i, ct) =>
        {
            var task = tasks?[i];
            outcomes[i] = await UploadOneAsync(client, items[i], folderId, settings.Wait, task, overall, ct);
            if (task is not null)
            {
                task.Value = task.MaxValue;
                task.Description = $"{Markup.Escape(Path.GetFileName(items[i].Path))} [grey]{outcomes[i].Status ?? "failed"}[/]";
                task.StopTask();
            }
        });
    }

    private static async Task<Outcome> UploadOneAsync(
        MemicClient client, UploadItem item, Guid folderId, bool wait, ProgressTask? task, ProgressTask? overall, CancellationToken cancellationToken)
    {
        // Each upload is its own async flow, so its capture holds this file's last response even while others run.
        using var capture = MemicResponseCapture.Begin();
        long reported = 0;
        var progress = new InlineProgress(sent =>
        {
            var delta = sent - Interlocked.Exchange(ref reported, sent);
            task?.Increment(delta);
            overall?.Increment(delta);
        });
        try
        {
            var options = new UploadFileOptions
            {
                FolderId = folderId,
                Metadata = new JsonObject { [HashKey] = item.Hash },
                PollInterval = TimeSpan.FromMilliseconds(500),
            };
            var file = await client.UploadFileAsync(item.Path, options, progress, cancellationToken);
            if (wait)
            {
                if (task is not null)
                {
                    task.Description = $"{Markup.Escape(Path.GetFileName(item.Path))} [grey]processing[/]";
                }

                file = await client.WaitUntilProcessedAsync(file.Id, options, cancellationToken);
            }

            return new Outcome(OutcomeKind.Uploaded, file.Id, file.Status.ToWireName(), capture.LastBody, null);
        }
        catch (MemicApiException ex)
        {
            return new Outcome(OutcomeKind.Failed, null, null, capture.LastBody, $"{ex.Code}: {ex.Message}");
        }
        catch (FileProcessingFailedException ex)
        {
            return new Outcome(OutcomeKind.Failed, ex.File.Id, ex.File.Status.ToWireName(), capture.LastBody, ex.File.ErrorMessage);
        }
        catch (TimeoutException ex)
        {
            return new Outcome(OutcomeKind.Failed, null, null, capture.LastBody, ex.Message);
        }
    }

    /// <summary>With <c>--wait</c>, a skipped file that an earlier run left processing is waited for like an uploaded one.</summary>
    private static async Task WaitForSkippedAsync(MemicClient client, Outcome[] outcomes, int concurrency, CancellationToken cancellationToken)
    {
        var pending = Enumerable.Range(0, outcomes.Length)
            .Where(i => outcomes[i] is { Kind: OutcomeKind.Skipped, FileId: not null, Status: { } status } && status != "ready" && !status.EndsWith("_failed", StringComparison.Ordinal));
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(pending, parallel, async (i, ct) =>
        {
            using var capture = MemicResponseCapture.Begin();
            try
            {
                var file = await client.WaitUntilProcessedAsync(outcomes[i].FileId!.Value, new UploadFileOptions { PollInterval = TimeSpan.FromMilliseconds(500) }, ct);
                outcomes[i] = outcomes[i] with { Status = file.Status.ToWireName(), Json = capture.LastBody };
            }
            catch (FileProcessingFailedException ex)
            {
                outcomes[i] = new Outcome(OutcomeKind.Failed, ex.File.Id, ex.File.Status.ToWireName(), capture.LastBody, ex.File.ErrorMessage);
            }
        });
    }

    private static void Report(UploadItem[] items, Outcome[] outcomes, bool json)
    {
        if (json)
        {
            // One line per input file: the API's file object as it came (for a failure, its error envelope).
            foreach (var outcome in outcomes)
            {
                Terminal.Json(outcome.Json);
            }

            return;
        }

        var table = new Table().AddColumns("file", "result", "status").AddColumn(new TableColumn("id").NoWrap()).AddColumn("note");
        for (var i = 0; i < items.Length; i++)
        {
            var o = outcomes[i];
            var result = o.Kind switch
            {
                OutcomeKind.Uploaded => "[green]uploaded[/]",
                OutcomeKind.Skipped => "[grey]skipped[/]",
                _ => "[red]failed[/]",
            };
            table.AddRow(new Text(Path.GetRelativePath(Environment.CurrentDirectory, items[i].Path)), new Markup(result), new Text(o.Status ?? ""), new Text(o.FileId?.ToString() ?? ""), new Text(o.Note ?? ""));
        }

        Terminal.Out.Write(table);
        var counts = outcomes.GroupBy(o => o.Kind).ToDictionary(g => g.Key, g => g.Count());
        Terminal.Out.MarkupLineInterpolated(
            $"{counts.GetValueOrDefault(OutcomeKind.Uploaded)} uploaded, {counts.GetValueOrDefault(OutcomeKind.Skipped)} skipped, {counts.GetValueOrDefault(OutcomeKind.Failed)} failed");
    }

    private static List<string> ExpandPaths(IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (File.Exists(path))
            {
                files.Add(Path.GetFullPath(path));
            }
            else if (Directory.Exists(path))
            {
                files.AddRange(Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Select(Path.GetFullPath).Order(StringComparer.Ordinal));
            }
            else
            {
                throw CommandFailedException.MissingSetting($"No such file or directory: {path}");
            }
        }

        return [.. files.Distinct(StringComparer.Ordinal)];
    }

    private static async Task<MemicFolder> ResolveFolderAsync(MemicClient client, string? folder, CancellationToken cancellationToken)
    {
        if (folder is null)
        {
            return (await client.ListFoldersAsync(cancellationToken)).FirstOrDefault(f => f.IsDefault)
                   ?? throw CommandFailedException.Failed("The environment has no default folder.");
        }

        return await Folders.FindOrDefaultAsync(client, folder, cancellationToken)
               ?? (Guid.TryParse(folder, out _)
                   ? throw CommandFailedException.Failed($"No folder with id {folder}.")
                   : await client.CreateFolderAsync(folder, cancellationToken));
    }

    private static async Task<string> HashAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
    }

    /// <summary>
    /// The folder's files by content hash, each as the API's JSON object as it came. Files that failed or never finished
    /// uploading do not count: uploading them again is what the user wants.
    /// </summary>
    private static async Task<Dictionary<string, Existing>> PresentFilesByHashAsync(MemicClient client, Guid folderId, CancellationToken cancellationToken)
    {
        var present = new Dictionary<string, Existing>(StringComparer.Ordinal);
        using var capture = MemicResponseCapture.Begin();
        for (var page = 1; ; page++)
        {
            var result = await client.GetFilesPageAsync(page, 100, new FileListFilter(FolderId: folderId), cancellationToken);
            using var document = JsonDocument.Parse(capture.LastBody!);
            foreach (var (file, raw) in result.Items.Zip(document.RootElement.GetProperty("items").EnumerateArray()))
            {
                if (file.Status == FileStatus.Uploading || file.Status.IsFailed()
                    || file.FileMetadata.ValueKind != JsonValueKind.Object
                    || !file.FileMetadata.TryGetProperty(HashKey, out var hash) || hash.ValueKind != JsonValueKind.String)
                {
                    continue;
                }

                present.TryAdd(hash.GetString()!, new Existing(file.Id, file.Status.ToWireName(), raw.GetRawText()));
            }

            if (!result.HasMore)
            {
                return present;
            }
        }
    }

    private sealed record UploadItem(string Path, long Size, string Hash);

    private sealed record Existing(Guid Id, string Status, string Json);

    private enum OutcomeKind
    {
        Uploaded,
        Skipped,
        Failed,
    }

    private sealed record Outcome(OutcomeKind Kind, Guid? FileId, string? Status, string? Json, string? Note);

    /// <summary>Reports on the caller's thread: <see cref="Progress{T}"/> would post to the thread pool and reorder reports.</summary>
    private sealed class InlineProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
