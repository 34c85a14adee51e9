using System.Text;

namespace Memic.Ingestion.Extraction.Internals;

/// <summary>Whitespace and control-character cleanup shared by all extractors.</summary>
internal static class TextCleanup
{
    /// <summary>
    /// Collapses runs of spaces and tabs, trims every line, drops blank lines and control characters.
    /// Single line breaks survive because they often carry meaning (addresses, verse, hard-wrapped lists).
    /// </summary>
    public static string NormalizeProse(string text)
    {
        var builder = new StringBuilder(text.Length);
        var pendingSpace = false;
        var pendingNewline = false;
        foreach (var character in text)
        {
            if (character is '\n' or '\r' or '\u2028' or '\u2029' or '\v' or '\f')
            {
                pendingNewline = builder.Length > 0;
                pendingSpace = false;
                continue;
            }

            if (char.IsWhiteSpace(character) || character == '\u00A0')
            {
                pendingSpace = builder.Length > 0;
                continue;
            }

            if (char.IsControl(character) || character is '\u200B' or '\uFEFF' or '\u00AD')
            {
                continue;
            }

            if (pendingNewline)
            {
                builder.Append('\n');
            }
            else if (pendingSpace)
            {
                builder.Append(' ');
            }

            pendingNewline = false;
            pendingSpace = false;
            builder.Append(character);
        }

        return builder.ToString();
    }

    /// <summary>Collapses all whitespace, line breaks included, into single spaces.</summary>
    public static string SingleLine(string text) => NormalizeProse(text).Replace('\n', ' ');

    /// <summary>Keeps indentation and line breaks of code; drops trailing spaces and leading/trailing blank lines.</summary>
    public static string NormalizeCode(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n')
            .Select(line => new string(line.Where(character => character == '\t' || !char.IsControl(character)).ToArray()).TrimEnd())
            .ToList();
        while (lines.Count > 0 && lines[0].Length == 0)
        {
            lines.RemoveAt(0);
        }

        while (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return string.Join('\n', lines);
    }
}
