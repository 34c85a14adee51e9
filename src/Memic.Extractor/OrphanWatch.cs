namespace Memic.Extractor;

/// <summary>
/// Ends the worker when its host is gone. A host killed with SIGKILL cannot kill its workers, and a worker stuck in a
/// hostile file would otherwise run on; the kernel re-parents an orphan, so a changed parent pid means the host died.
/// </summary>
internal static class OrphanWatch
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    public static void Start()
    {
        if (!OperatingSystem.IsLinux() || ParentProcessId() is not { } parent)
        {
            return;
        }

        var thread = new Thread(() =>
        {
            while (ParentProcessId() == parent)
            {
                Thread.Sleep(Interval);
            }

            Environment.Exit(4);
        })
        {
            IsBackground = true,
            Name = "Memic orphan watch",
        };
        thread.Start();
    }

    /// <summary>Field 4 of /proc/self/stat, after the command name in parentheses (which may itself hold spaces).</summary>
    private static int? ParentProcessId()
    {
        try
        {
            var stat = File.ReadAllText("/proc/self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
