namespace Memic.Ingestion.Tests;

/// <summary>
/// A backtracking regex on untrusted text can run for minutes (a Markdown file once held a worker for four).
/// Every regex in the product code is therefore bounded: a match timeout or the non-backtracking engine.
/// </summary>
public sealed class RegexTimeoutTests
{
    [Fact]
    public void Every_regex_in_src_has_a_match_timeout_or_is_non_backtracking()
    {
        var unbounded = new List<string>();
        var declarations = 0;
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepositoryRoot(), "src"), "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            {
                continue;
            }

            var lines = File.ReadAllLines(file);
            for (var index = 0; index < lines.Length; index++)
            {
                var line = lines[index];
                var declaresRegex = line.Contains("[GeneratedRegex(", StringComparison.Ordinal) || line.Contains("new Regex(", StringComparison.Ordinal);
                var bounded = line.Contains("matchTimeout", StringComparison.Ordinal) || line.Contains("TimeSpan", StringComparison.Ordinal)
                    || line.Contains("NonBacktracking", StringComparison.Ordinal);
                var staticCall = line.Contains(" Regex.", StringComparison.Ordinal) || line.Contains("(Regex.", StringComparison.Ordinal);
                declarations += declaresRegex ? 1 : 0;
                if ((declaresRegex && !bounded) || staticCall)
                {
                    unbounded.Add($"{Path.GetRelativePath(RepositoryRoot(), file)}:{index + 1}: {line.Trim()}");
                }
            }
        }

        Assert.True(declarations > 10, $"Only {declarations} regex declarations found; is the scan looking at src/?");
        Assert.True(unbounded.Count == 0, "Regexes without a match timeout:\n" + string.Join('\n', unbounded));
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Memic.Functions.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (Memic.Functions.sln) was not found above the test binaries.");
    }
}
