using System.Diagnostics;
using System.Globalization;

namespace Memic.Ingestion.Isolation;

/// <summary>Resident memory of a process and its descendants, as the kernel counts it.</summary>
internal static class ProcessMemory
{
    /// <summary>
    /// Resident bytes of <paramref name="process"/> plus every descendant (tesseract runs as the worker's child), read from
    /// <c>/proc</c> on Linux; elsewhere the process's own working set. 0 once the process is gone.
    /// </summary>
    public static long TreeResidentBytes(Process process)
    {
        if (!OperatingSystem.IsLinux())
        {
            try
            {
                process.Refresh();
                return process.HasExited ? 0 : process.WorkingSet64;
            }
            catch (InvalidOperationException)
            {
                return 0;
            }
        }

        var total = 0L;
        var pending = new Stack<int>([process.Id]);
        var seen = new HashSet<int>();
        while (pending.TryPop(out var pid))
        {
            if (!seen.Add(pid))
            {
                continue;
            }

            total += ResidentBytes(pid);
            foreach (var child in ChildrenOf(pid))
            {
                pending.Push(child);
            }
        }

        return total;
    }

    /// <summary>The VmRSS line of /proc/&lt;pid&gt;/status in bytes; 0 when the process is gone.</summary>
    public static long ResidentBytes(int pid) => StatusField($"/proc/{pid}/status", "VmRSS:");

    /// <summary>This process's current and peak resident bytes (VmRSS, VmHWM).</summary>
    public static (long Current, long Peak) OwnResidentBytes() =>
        (StatusField("/proc/self/status", "VmRSS:"), StatusField("/proc/self/status", "VmHWM:"));

    private static long StatusField(string path, string field)
    {
        try
        {
            foreach (var line in File.ReadLines(path))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    var kilobytes = line[field.Length..].Trim().Split(' ')[0];
                    return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Gone between the listing and the read.
        }

        return 0;
    }

    private static List<int> ChildrenOf(int pid)
    {
        var children = new List<int>();
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                foreach (var child in File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    children.Add(int.Parse(child, CultureInfo.InvariantCulture));
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Gone, or a kernel without /proc/<pid>/task/<tid>/children: the worker's own size still counts.
        }

        return children;
    }
}
