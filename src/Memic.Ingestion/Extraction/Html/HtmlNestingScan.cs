namespace Memic.Ingestion.Extraction.Html;

/// <summary>
/// A linear pre-scan that estimates how deep an HTML page nests its elements, run before the HTML parser
/// because the parser's tree construction slows down sharply on deep nesting (100,000 nested divs take
/// minutes). Void elements, self-closed tags and elements whose end tag is implied (p, li, td, …) are not
/// counted, so the estimate stays at or under the real depth for ordinary pages.
/// </summary>
internal static class HtmlNestingScan
{
    private static readonly HashSet<string> NotNesting = new(StringComparer.OrdinalIgnoreCase)
    {
        // Void elements.
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
        // Elements whose end tag is implied by the next sibling, and the document skeleton.
        "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead", "tbody", "tfoot", "colgroup", "caption",
        "rb", "rt", "rtc", "rp", "html", "head", "body",
    };

    // Their content is text, not markup: "<div>" inside a script is not an element.
    private static readonly string[] RawTextElements = ["script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"];

    /// <summary>True when start tags nest deeper than <paramref name="maxDepth"/> at some point of the page.</summary>
    public static bool ExceedsDepth(ReadOnlySpan<char> html, int maxDepth)
    {
        var depth = 0;
        var index = 0;
        while ((index = NextTagStart(html, index)) >= 0)
        {
            var rest = html[index..];
            if (rest.StartsWith("<!--"))
            {
                index = SkipPast(html, index + 4, "-->");
                continue;
            }

            if (rest.Length > 1 && rest[1] is '!' or '?')
            {
                index = SkipPast(html, index + 2, ">");
                continue;
            }

            var isEndTag = rest.Length > 1 && rest[1] == '/';
            var nameStart = index + (isEndTag ? 2 : 1);
            var nameEnd = nameStart;
            while (nameEnd < html.Length && (char.IsAsciiLetterOrDigit(html[nameEnd]) || html[nameEnd] is '-' or ':'))
            {
                nameEnd++;
            }

            if (nameEnd == nameStart || !char.IsAsciiLetter(html[nameStart]))
            {
                index++;
                continue;
            }

            var name = html[nameStart..nameEnd];
            var tagEnd = TagEnd(html, nameEnd);
            var selfClosing = tagEnd > 0 && html[tagEnd - 1] == '/';
            index = tagEnd < 0 ? html.Length : tagEnd + 1;
            if (isEndTag || selfClosing || NotNesting.GetAlternateLookup<ReadOnlySpan<char>>().Contains(name))
            {
                depth = isEndTag && !NotNesting.GetAlternateLookup<ReadOnlySpan<char>>().Contains(name) ? Math.Max(0, depth - 1) : depth;
                continue;
            }

            if (++depth > maxDepth)
            {
                return true;
            }

            foreach (var rawText in RawTextElements)
            {
                if (name.Equals(rawText, StringComparison.OrdinalIgnoreCase))
                {
                    index = SkipPast(html, index, $"</{rawText}", StringComparison.OrdinalIgnoreCase);
                    depth--;
                    break;
                }
            }
        }

        return false;
    }

    private static int NextTagStart(ReadOnlySpan<char> html, int from)
    {
        if (from >= html.Length)
        {
            return -1;
        }

        var offset = html[from..].IndexOf('<');
        return offset < 0 ? -1 : from + offset;
    }

    /// <summary>
    /// Index of the '>' that closes a tag, skipping quoted attribute values; -1 when there is none. As in the
    /// HTML tokenizer, a quote starts a value only right after '=' (a stray quote elsewhere is part of a name).
    /// </summary>
    private static int TagEnd(ReadOnlySpan<char> html, int from)
    {
        var quote = '\0';
        var afterEquals = false;
        for (var index = from; index < html.Length; index++)
        {
            var character = html[index];
            if (quote != '\0')
            {
                quote = character == quote ? '\0' : quote;
            }
            else if (character is '"' or '\'' && afterEquals)
            {
                quote = character;
            }
            else if (character == '>')
            {
                return index;
            }

            if (!char.IsWhiteSpace(character))
            {
                afterEquals = quote == '\0' && character == '=';
            }
        }

        return -1;
    }

    private static int SkipPast(ReadOnlySpan<char> html, int from, string marker, StringComparison comparison = StringComparison.Ordinal)
    {
        if (from >= html.Length)
        {
            return html.Length;
        }

        var offset = html[from..].IndexOf(marker, comparison);
        return offset < 0 ? html.Length : from + offset + marker.Length;
    }
}
