using System.ComponentModel;
using System.Globalization;
using Memic.Client;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Memic.Cli.Commands;

internal sealed class FilesListSettings : MemicSettings
{
    [CommandOption("--folder")]
    [Description("Only files in this folder (name or id)")]
    public string? Folder { get; init; }

    [CommandOption("--status")]
    [Description("Only files with this status, e.g. ready or parsing_failed")]
    public string? Status { get; init; }

    [CommandOption("--page-size")]
    [Description("Files per request (1-100)")]
    [DefaultValue(100)]
    public int PageSize { get; init; } = 100;
}

internal sealed class FilesListCommand : MemicCommand<FilesListSettings>
{
    protected override async Task<int> RunAsync(FilesListSettings settings, CancellationToken cancellationToken)
    {
        using var client = Clients.DataPlane();
        FileStatus? status = settings.Status is { } wanted
            ? Enum.GetValues<FileStatus>().Cast<FileStatus?>().FirstOrDefault(s => s!.Value.ToWireName() == wanted)
              ?? throw CommandFailedException.MissingSetting($"Unknown status '{wanted}'.")
            : null;

        Guid? folderId = settings.Folder is { } folder ? (await Folders.FindAsync(client, folder, cancellationToken)).Id : null;
        var filter = new FileListFilter(status, folderId);
        var table = new Table().AddColumn(new TableColumn("id").NoWrap()).AddColumns("name", "status", "size", "folder", "created");
        using var capture = MemicResponseCapture.Begin();
        for (var page = 1; ; page++)
        {
            var result = await client.GetFilesPageAsync(page, settings.PageSize, filter, cancellationToken);
            if (settings.Json)
            {
                Terminal.Json(capture.LastBody);
            }

            foreach (var file in result.Items)
            {
                table.AddRow(
                    new Text(file.Id.ToString()), new Text(file.Name), new Text(file.Status.ToWireName()),
                    new Text(file.Size.ToString(CultureInfo.InvariantCulture)), new Text(file.FolderName ?? ""),
                    new Text(file.CreatedAt.ToString("u", CultureInfo.InvariantCulture)));
            }

            if (!result.HasMore)
            {
                break;
            }
        }

        if (!settings.Json)
        {
            Terminal.Out.Write(table);
        }

        return ExitCodes.Success;
    }
}

internal sealed class FilesRemoveSettings : MemicSettings
{
    [CommandArgument(0, "<file_id>")]
    [Description("Ids of the files to delete")]
    public string[] FileIds { get; init; } = [];
}

internal sealed class FilesRemoveCommand : MemicCommand<FilesRemoveSettings>
{
    protected override async Task<int> RunAsync(FilesRemoveSettings settings, CancellationToken cancellationToken)
    {
        var ids = settings.FileIds.Select(raw => Guid.TryParse(raw, out var id)
            ? id
            : throw CommandFailedException.MissingSetting($"'{raw}' is not a file id.")).ToList();
        using var client = Clients.DataPlane();
        foreach (var id in ids)
        {
            // 204: the API answers nothing, so --json prints nothing either; the exit code says it worked.
            await client.DeleteFileAsync(id, cancellationToken);
            if (!settings.Json)
            {
                Terminal.Out.MarkupLineInterpolated($"deleted {id}");
            }
        }

        return ExitCodes.Success;
    }
}

/// <summary>Folders given by name or id.</summary>
internal static class Folders
{
    public static async Task<MemicFolder> FindAsync(MemicClient client, string nameOrId, CancellationToken cancellationToken) =>
        await FindOrDefaultAsync(client, nameOrId, cancellationToken)
        ?? throw CommandFailedException.Failed($"No folder '{nameOrId}'.");

    public static async Task<MemicFolder?> FindOrDefaultAsync(MemicClient client, string nameOrId, CancellationToken cancellationToken)
    {
        var folders = await client.ListFoldersAsync(cancellationToken);
        return Guid.TryParse(nameOrId, out var id)
            ? folders.FirstOrDefault(f => f.Id == id)
            : folders.FirstOrDefault(f => f.Name == nameOrId);
    }
}
