using System.ComponentModel;
using Memic.Client;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Memic.Cli.Commands;

internal sealed class SearchSettings : MemicSettings
{
    [CommandArgument(0, "<query>")]
    [Description("What to look for (1-1000 characters)")]
    public string Query { get; init; } = string.Empty;

    [CommandOption("--top-k")]
    [Description("At most this many passages (1-50; default 10)")]
    public int? TopK { get; init; }

    [CommandOption("--min-score")]
    [Description("No passage scoring below this (0-1; default 0.7)")]
    public double? MinScore { get; init; }
}

internal sealed class SearchCommand : MemicCommand<SearchSettings>
{
    protected override async Task<int> RunAsync(SearchSettings settings, CancellationToken cancellationToken)
    {
        using var client = Clients.DataPlane();
        using var capture = MemicResponseCapture.Begin();
        var response = await client.SearchAsync(new SearchRequest(settings.Query) { TopK = settings.TopK, MinScore = settings.MinScore }, cancellationToken);
        if (settings.Json)
        {
            Terminal.Json(capture.LastBody);
            return ExitCodes.Success;
        }

        if (response.Results.Semantic.Count == 0)
        {
            Terminal.Out.MarkupLineInterpolated($"No passage scored at least the minimum for \"{settings.Query}\".");
            return ExitCodes.Success;
        }

        var table = new Table().AddColumns("score", "file", "page", "passage");
        foreach (var hit in response.Results.Semantic)
        {
            var passage = hit.Content.ReplaceLineEndings(" ");
            table.AddRow(
                new Text(hit.Score.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)),
                new Text(hit.FileName),
                new Text(hit.PageNumber?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? ""),
                new Text(passage.Length > 200 ? passage[..200] + "…" : passage));
        }

        Terminal.Out.Write(table);
        return ExitCodes.Success;
    }
}
