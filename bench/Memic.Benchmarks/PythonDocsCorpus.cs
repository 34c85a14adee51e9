using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Html.Parser;

namespace Memic.Benchmarks;

/// <summary>
/// A retrieval corpus nobody here wrote: the Python 3.11 library reference as Debian's <c>python3.11-doc</c> ships it
/// (HTML under /usr/share/doc/python3.11/html/library), with queries derived mechanically. Every API entry of a page
/// (<c>&lt;dl class="py …"&gt;&lt;dt id=…&gt;&lt;dd&gt;&lt;p&gt;</c>) has a one-line summary, the first sentence of
/// its description ("Return the ceiling of x, the smallest integer greater than or equal to x."); that sentence is the
/// query and the page is the answer. The sentence is removed from the indexed page, or every query would be a quote
/// of its answer; what is left to find it by is the entry's name and signature, the rest of its description and the
/// page around it. Choices are by SHA-256 of names, so the corpus and the queries are the same on every machine:
/// pages of at most <see cref="MaxPageBytes"/> taken in hash order up to <see cref="MaxDocuments"/>, up to
/// <see cref="QueriesPerDocument"/> entries a page in hash order, and a page is in the dev or test split by its hash.
/// </summary>
internal static partial class PythonDocsCorpus
{
    public const string Package = "python3.11-doc";
    public const string LibraryDirectory = "/usr/share/doc/python3.11/html/library";
    private const int MaxDocuments = 240;
    private const int MaxPageBytes = 120_000;
    private const int QueriesPerDocument = 3;
    private const int MinQueryWords = 5;
    private const int MaxQueryWords = 40;

    public sealed record Document(string Name, byte[] Html);

    public sealed record Query(string Text, string Document, string EntryId, bool IsDev);

    public sealed record Corpus(IReadOnlyList<Document> Documents, IReadOnlyList<Query> Queries);

    /// <summary>Installs the Debian package when the pages are missing and this process may (root with apt-get).</summary>
    public static async Task<bool> EnsureInstalledAsync()
    {
        if (Directory.Exists(LibraryDirectory))
        {
            return true;
        }

        Console.Error.WriteLine($"{LibraryDirectory} is missing; installing {Package} (apt-get)...");
        foreach (var arguments in new[] { "update -qq", $"install -y -qq --no-install-recommends {Package}" })
        {
            var start = new ProcessStartInfo("apt-get", arguments) { UseShellExecute = false };
            start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
            using var process = Process.Start(start)!;
            await process.WaitForExitAsync();
        }

        if (!Directory.Exists(LibraryDirectory))
        {
            await Console.Error.WriteLineAsync($"Could not install {Package}; run `apt-get install {Package}` as root and try again.");
            return false;
        }

        return true;
    }

    public static Corpus Build()
    {
        var parser = new HtmlParser();
        var documents = new List<Document>();
        var queries = new List<Query>();
        var pages = Directory.GetFiles(LibraryDirectory, "*.html")
            .Where(p => new FileInfo(p).Length <= MaxPageBytes)
            .OrderBy(p => Hash(Path.GetFileName(p)), StringComparer.Ordinal);
        foreach (var path in pages)
        {
            if (documents.Count == MaxDocuments)
            {
                break;
            }

            var name = Path.GetFileName(path);
            using var page = parser.ParseDocument(File.ReadAllText(path));
            var entries = page.QuerySelectorAll("dl.py > dt[id]")
                .Select(dt => (Id: dt.Id!, Paragraph: dt.NextElementSibling is { LocalName: "dd" } dd ? dd.Children.FirstOrDefault(c => c.LocalName == "p") : null))
                .Where(e => e.Paragraph is not null)
                .Select(e => (e.Id, e.Paragraph, Split: FirstSentence(Normalize(e.Paragraph!.TextContent))))
                .Where(e => e.Split is { } s && WordCount(s.Sentence) is >= MinQueryWords and <= MaxQueryWords)
                .DistinctBy(e => e.Split!.Value.Sentence)
                .OrderBy(e => Hash(name + "#" + e.Id), StringComparer.Ordinal)
                .Take(QueriesPerDocument)
                .ToList();
            if (entries.Count == 0)
            {
                continue;
            }

            var isDev = IsDevKey(name);
            foreach (var (id, paragraph, split) in entries)
            {
                // The description's inline markup goes with the sentence: the extractor reads text only.
                paragraph!.TextContent = split!.Value.Remainder;
                queries.Add(new Query(split.Value.Sentence, name, id, isDev));
            }

            documents.Add(new Document(name, Encoding.UTF8.GetBytes(page.DocumentElement.OuterHtml)));
        }

        return new Corpus(documents, queries);
    }

    /// <summary>The dev/test split: by the first byte of the SHA-256 of a key (a page name here), even for dev.</summary>
    public static bool IsDevKey(string key) => Convert.FromHexString(Hash(key))[0] % 2 == 0;

    /// <summary>The first sentence (up to a period, question or exclamation mark followed by a space and a capital or the end) and the rest.</summary>
    private static (string Sentence, string Remainder)? FirstSentence(string text)
    {
        var match = SentenceEnd().Match(text);
        return match.Success ? (text[..(match.Index + 1)].Trim(), text[(match.Index + match.Length)..].Trim()) : null;
    }

    private static string Normalize(string text) => Whitespace().Replace(text, " ").Trim();

    private static int WordCount(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;

    private static string Hash(string value) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    [GeneratedRegex(@"(?<!\b(?:e\.g|i\.e|etc|vs))[.!?](\s+(?=[A-Z])|$)")]
    private static partial Regex SentenceEnd();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
