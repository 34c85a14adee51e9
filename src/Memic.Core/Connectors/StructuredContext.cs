using System.Globalization;
using System.Text;

namespace Memic.Core.Connectors;

/// <summary>A structured result as text for a chat model, or as the answer itself when no model can phrase one.</summary>
internal static class StructuredContext
{
    /// <summary>Rows shown to the model; the rest are counted, so a huge result cannot crowd out the question.</summary>
    private const int MaxRowsShown = 50;

    public static string Describe(StructuredResult result)
    {
        var rows = result.Rows;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"\nQuery result from connector \"{result.ConnectorName}\" (SQL: {result.Sql}):\n");
        text.Append(string.Join(" | ", rows.Columns)).Append('\n');
        foreach (var row in rows.Rows.Take(MaxRowsShown))
        {
            text.Append(string.Join(" | ", row.Select(v => v?.ToJsonString() ?? "null"))).Append('\n');
        }

        var more = rows.Rows.Count - Math.Min(rows.Rows.Count, MaxRowsShown);
        text.Append(CultureInfo.InvariantCulture, $"({rows.Rows.Count} rows{(more > 0 ? $", {more} not shown" : "")}{(rows.Truncated ? ", truncated at the row cap" : "")})\n");
        return text.ToString();
    }
}
