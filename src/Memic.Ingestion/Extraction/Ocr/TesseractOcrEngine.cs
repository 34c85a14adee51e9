using System.Diagnostics;
using System.Text;

namespace Memic.Ingestion.Extraction.Ocr;

/// <summary>Settings for <see cref="TesseractOcrEngine"/>.</summary>
public sealed record TesseractOcrOptions
{
    /// <summary>The program name looked up on PATH, or an absolute path to it.</summary>
    public string ExecutablePath { get; init; } = "tesseract";

    /// <summary>Tesseract language codes joined with '+', e.g. "eng+deu"; null uses tesseract's default (eng).</summary>
    public string? Languages { get; init; }

    /// <summary>How long one image may take before the process is killed.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);
}

/// <summary>
/// OCR through the <c>tesseract</c> command-line program (Debian package <c>tesseract-ocr</c>), run as a
/// child process per image. A process rather than a native binding keeps a crash in the OCR engine out of
/// the worker, and needs nothing but the program on PATH.
/// </summary>
public sealed class TesseractOcrEngine : IOcrEngine
{
    private readonly TesseractOcrOptions _options;
    private readonly Lazy<string?> _resolvedPath;

    public TesseractOcrEngine(TesseractOcrOptions? options = null)
    {
        _options = options ?? new TesseractOcrOptions();
        _resolvedPath = new Lazy<string?>(() => ResolveExecutable(_options.ExecutablePath));
    }

    public bool IsAvailable => _resolvedPath.Value is not null;

    public async Task<string> RecognizeAsync(ReadOnlyMemory<byte> image, string fileExtension, CancellationToken cancellationToken)
    {
        var executable = _resolvedPath.Value
            ?? throw new DocumentExtractionException(ExtractionFailureKind.OcrNotConfigured,
                $"OCR is not configured: the '{_options.ExecutablePath}' program was not found.");

        var extension = fileExtension.StartsWith('.') ? fileExtension : "." + fileExtension;
        var input = Path.Combine(Path.GetTempPath(), $"memic-ocr-{Guid.NewGuid():N}{extension}");
        await File.WriteAllBytesAsync(input, image, cancellationToken);
        try
        {
            return await RunAsync(executable, input, cancellationToken);
        }
        finally
        {
            File.Delete(input);
        }
    }

    private async Task<string> RunAsync(string executable, string input, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        startInfo.ArgumentList.Add(input);
        startInfo.ArgumentList.Add("stdout");
        if (!string.IsNullOrWhiteSpace(_options.Languages))
        {
            startInfo.ArgumentList.Add("-l");
            startInfo.ArgumentList.Add(_options.Languages);
        }

        // Tesseract's OpenMP threads would compete with the embedder for the same cores for little gain per image.
        startInfo.Environment["OMP_THREAD_LIMIT"] = "1";

        Process process;
        try
        {
            process = Process.Start(startInfo)
                ?? throw new DocumentExtractionException(ExtractionFailureKind.OcrFailed, "OCR failed: the tesseract process did not start.");
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new DocumentExtractionException(ExtractionFailureKind.OcrFailed, "OCR failed: the tesseract program could not be started.", exception);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(_options.Timeout);
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                cancellationToken.ThrowIfCancellationRequested();
                throw new DocumentExtractionException(ExtractionFailureKind.OcrFailed,
                    $"OCR failed: tesseract took longer than {_options.Timeout.TotalSeconds:N0} seconds.");
            }

            var text = await output;
            var diagnostics = await errors;
            if (process.ExitCode != 0)
            {
                var firstLine = diagnostics.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
                throw new DocumentExtractionException(ExtractionFailureKind.OcrFailed,
                    $"OCR failed: tesseract exited with code {process.ExitCode}{(firstLine is null ? "" : $" ({firstLine})")}.");
            }

            // Tesseract ends each page with a form feed.
            return text.Replace("\f", "\n\n", StringComparison.Ordinal);
        }
    }

    private static string? ResolveExecutable(string executable)
    {
        if (Path.IsPathRooted(executable) || executable.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return File.Exists(executable) ? Path.GetFullPath(executable) : null;
        }

        var names = OperatingSystem.IsWindows() ? new[] { executable + ".exe", executable } : [executable];
        var searchPath = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var directory in searchPath.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var name in names)
            {
                var candidate = Path.Combine(directory, name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
