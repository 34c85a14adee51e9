namespace Memic.Ingestion.Chunking;

/// <summary>
/// Splits text into sentences and words for the chunker. A sentence ends at . ! ? … (plus closing quotes
/// or brackets) followed by whitespace and not by a lower-case word, unless the period ends a known
/// abbreviation or a single-letter initial; CJK full stops end a sentence without whitespace; a line
/// break always ends one. Each part carries the separator that stood before it (" " or "\n").
/// </summary>
internal static class SentenceSplitter
{
    private static readonly HashSet<string> Abbreviations = new(StringComparer.OrdinalIgnoreCase)
    {
        "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "e.g", "i.e", "eg", "ie", "fig", "figs",
        "no", "nos", "vol", "vols", "p", "pp", "inc", "ltd", "co", "corp", "approx", "ca", "cf", "dept", "est",
        "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "al", "ed", "eds",
        "gen", "gov", "sgt", "capt", "col", "lt", "mt", "ft", "rev", "resp", "ref", "art", "sec", "ch", "para",
        "bzw", "usw", "ggf", "z.b", "d.h", "u.a", "mio", "mrd", "nr", "abs",
    };

    public static List<(string Text, string Separator)> Sentences(string text)
    {
        var sentences = new List<(string, string)>();
        var start = 0;
        var separator = string.Empty;
        for (var i = 0; i < text.Length; i++)
        {
            var character = text[i];
            int end;
            if (character == '\n')
            {
                end = i;
            }
            else if (character is '。' or '！' or '？')
            {
                end = i + 1;
            }
            else if (character is '.' or '!' or '?' or '…')
            {
                end = i + 1;
                while (end < text.Length && text[end] is '"' or '\'' or ')' or ']' or '”' or '’' or '»')
                {
                    end++;
                }

                if (end < text.Length && !char.IsWhiteSpace(text[end]))
                {
                    continue;
                }

                if (character == '.' && (IsAbbreviation(text, start, i) || NextWordIsLowerCase(text, end)))
                {
                    continue;
                }
            }
            else
            {
                continue;
            }

            var sentence = text[start..end].Trim();
            if (sentence.Length > 0)
            {
                sentences.Add((sentence, separator));
            }

            var gapStart = end;
            while (end < text.Length && char.IsWhiteSpace(text[end]))
            {
                end++;
            }

            separator = text.AsSpan(gapStart, end - gapStart).Contains('\n') ? "\n" : " ";
            start = end;
            i = end - 1;
        }

        var rest = text[start..].Trim();
        if (rest.Length > 0)
        {
            sentences.Add((rest, separator));
        }

        if (sentences.Count > 0)
        {
            sentences[0] = (sentences[0].Item1, string.Empty);
        }

        return sentences;
    }

    public static List<string> Words(string text) =>
        text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).ToList();

    private static bool IsAbbreviation(string text, int sentenceStart, int periodIndex)
    {
        var wordStart = periodIndex;
        while (wordStart > sentenceStart && !char.IsWhiteSpace(text[wordStart - 1]) && text[wordStart - 1] is not ('(' or '"' or '\''))
        {
            wordStart--;
        }

        var word = text[wordStart..periodIndex];
        return (word.Length == 1 && char.IsLetter(word[0])) || Abbreviations.Contains(word);
    }

    private static bool NextWordIsLowerCase(string text, int from)
    {
        while (from < text.Length && char.IsWhiteSpace(text[from]))
        {
            from++;
        }

        return from < text.Length && char.IsLower(text[from]);
    }
}
