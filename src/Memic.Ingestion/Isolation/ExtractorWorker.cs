using System.Diagnostics;
using System.Globalization;
using Memic.Ingestion.Extraction;
using Microsoft.Extensions.Logging;

namespace Memic.Ingestion.Isolation;

/// <summary>Why a worker was stopped before it answered.</summary>
internal enum WorkerStop
{
    /// <summary>The worker and its children grew past the memory limit.</summary>
    MemoryLimit,

    /// <summary>The file took longer than the time limit.</summary>
    TimeLimit,

    /// <summary>The worker died or broke the protocol on its own.</summary>
    Crashed,

    /// <summary>The worker's reply was larger than any real extraction can be.</summary>
    ReplyTooLarge,
}

/// <summary>The worker was stopped (or stopped) without a reply; it is dead and must not be reused.</summary>
internal sealed class WorkerStoppedException(WorkerStop stop, string detail, Exception? inner = null)
    : Exception($"The extraction worker stopped: {stop} ({detail}).", inner)
{
    public WorkerStop Stop { get; } = stop;
}

/// <summary>What every worker of one host is started with.</summary>
/// <param name="Options">The memory and time limits.</param>
/// <param name="OcrEnabled">Whether images and scanned pages may go to tesseract.</param>
/// <param name="ExtraEnvironment">Variables added to the worker's environment; tests switch on its test hooks here.</param>
internal sealed record WorkerSettings(ExtractionIsolationOptions Options, bool OcrEnabled, IReadOnlyDictionary<string, string>? ExtraEnvironment = null)
{
    /// <summary>How often the worker's memory is read while it parses.</summary>
    public TimeSpan MemoryPollInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// The longest reply accepted: the text is capped at <see cref="ExtractionOptions.MaxExtractedCharacters"/> in the
    /// worker, and JSON spends at most 6 bytes on a character, plus room for the page and block structure.
    /// </summary>
    public long MaxReplyBytes { get; init; } = (ExtractionOptions.Default.MaxExtractedCharacters * 6) + (16L * 1024 * 1024);
}

/// <summary>
/// One extraction worker process, serving one file at a time. The host streams each file to its stdin and reads the
/// reply from its stdout (<see cref="ExtractorProtocol"/>); meanwhile it reads the worker's resident memory (with its
/// children) and kills the whole process tree past the memory limit, past the time limit, or when the caller gives up.
/// A worker that was killed, crashed or ran out of heap is never used again.
/// </summary>
internal sealed partial class ExtractorWorker : IDisposable
{
    /// <summary>
    /// Variables the worker inherits. Everything else (keys, connection strings) stays out of a process that parses
    /// hostile input.
    /// </summary>
    private static readonly string[] InheritedVariables =
        ["PATH", "HOME", "TMPDIR", "TMP", "TEMP", "LANG", "LC_ALL", "DOTNET_ROOT", "TESSDATA_PREFIX", "LD_LIBRARY_PATH", "SYSTEMROOT"];

    /// <summary>The managed heap's hard limit as a share of the memory limit; the rest is the runtime, code and native buffers.</summary>
    private const double HeapShareOfLimit = 0.75;

    private readonly Process _process;
    private readonly WorkerSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private bool _dead;

    private ExtractorWorker(Process process, WorkerSettings settings, TimeProvider time, ILogger logger)
    {
        _process = process;
        _settings = settings;
        _time = time;
        _logger = logger;
    }

    public int ProcessId => _process.Id;

    /// <summary>False once the worker was stopped, crashed or exited; such a worker is disposed, not pooled.</summary>
    public bool IsReusable => !_dead && !HasExited();

    public static ExtractorWorker Start(ExtractorLaunch launch, WorkerSettings settings, TimeProvider time, ILogger logger)
    {
        var arguments = new List<string> { "--timeout-ms", ((long)settings.Options.Timeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) };
        if (!settings.OcrEnabled)
        {
            arguments.Add("--no-ocr");
        }

        var startInfo = launch.StartInfo(arguments);
        var inherited = InheritedVariables
            .Select(name => (Name: name, Value: Environment.GetEnvironmentVariable(name)))
            .Where(variable => variable.Value is not null)
            .ToList();
        startInfo.Environment.Clear();
        foreach (var (name, value) in inherited)
        {
            startInfo.Environment[name] = value;
        }

        var heapLimit = (long)(settings.Options.MaxMemoryBytes * HeapShareOfLimit);
        startInfo.Environment["DOTNET_GCHeapHardLimit"] = heapLimit.ToString("X", CultureInfo.InvariantCulture);
        startInfo.Environment["DOTNET_gcServer"] = "0";
        startInfo.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (name, value) in settings.ExtraEnvironment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[name] = value;
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException("The extraction worker did not start.");
        var worker = new ExtractorWorker(process, settings, time, logger);
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is { Length: > 0 } data)
            {
                LogWorkerOutput(logger, process.Id, data.Length > 2000 ? data[..2000] : data);
            }
        };
        process.BeginErrorReadLine();
        LogStarted(logger, process.Id);
        return worker;
    }

    /// <summary>
    /// Streams <paramref name="content"/> to the worker and returns its reply.
    /// </summary>
    /// <exception cref="WorkerStoppedException">The worker hit a limit or died; it has been killed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired; the worker has been killed.</exception>
    public async Task<ExtractionReply> ExtractAsync(ExtractionRequest request, Stream content, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_dead, this);
        using var timeLimit = new CancellationTokenSource(_settings.Options.Timeout, _time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeLimit.Token);
        using var kill = stop.Token.Register(Kill);
        using var watching = new CancellationTokenSource();
        var memory = WatchMemoryAsync(watching.Token);
        try
        {
            var sending = ExtractorProtocol.WriteRequestAsync(_process.StandardInput.BaseStream, request, content, stop.Token);
            var receiving = ExtractorProtocol.ReadReplyAsync(_process.StandardOutput.BaseStream, _settings.MaxReplyBytes, stop.Token);
            try
            {
                await sending;
            }
            finally
            {
                // Observed either way: once sending fails the worker is killed and the read fails too.
                _ = receiving.ContinueWith(static task => _ = task.Exception, TaskScheduler.Default);
            }

            var reply = await receiving;
            if (reply.Outcome == ExtractionOutcome.OutOfMemory)
            {
                _dead = true;
            }

            return reply;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Kill();
            await watching.CancelAsync();
            var overMemory = await memory;
            var stopped = overMemory ? WorkerStop.MemoryLimit
                : timeLimit.IsCancellationRequested ? WorkerStop.TimeLimit
                : ex is ReplyTooLargeException ? WorkerStop.ReplyTooLarge
                : WorkerStop.Crashed;
            var detail = stopped == WorkerStop.Crashed && HasExited() ? $"exit code {_process.ExitCode}" : ex.GetType().Name;
            LogStopped(_logger, _process.Id, stopped, detail);
            throw new WorkerStoppedException(stopped, detail, ex);
        }
        catch
        {
            Kill();
            throw;
        }
        finally
        {
            await watching.CancelAsync();
            await memory;
        }
    }

    /// <summary>Polls the worker tree's resident memory; kills it and returns true past the limit.</summary>
    private async Task<bool> WatchMemoryAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var resident = ProcessMemory.TreeResidentBytes(_process);
                if (resident > _settings.Options.MaxMemoryBytes)
                {
                    LogOverMemory(_logger, _process.Id, resident / (1024 * 1024), _settings.Options.MaxMemoryMB);
                    Kill();
                    return true;
                }

                await Task.Delay(_settings.MemoryPollInterval, _time, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // The extraction ended.
        }

        return false;
    }

    private bool HasExited()
    {
        try
        {
            return _process.HasExited;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    private void Kill()
    {
        _dead = true;
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    /// <summary>Closes the worker's stdin, which ends it cleanly, and kills it if it does not go at once.</summary>
    public void Dispose()
    {
        if (!HasExited())
        {
            try
            {
                _process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The pipe is already broken.
            }

            if (!_process.WaitForExit(TimeSpan.FromSeconds(2)))
            {
                Kill();
            }
        }

        _dead = true;
        _process.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Started extraction worker {ProcessId}")]
    private static partial void LogStarted(ILogger logger, int processId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Extraction worker {ProcessId}: {Line}")]
    private static partial void LogWorkerOutput(ILogger logger, int processId, string line);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Extraction worker {ProcessId} uses {ResidentMB} MB, over the {LimitMB} MB limit; killing it")]
    private static partial void LogOverMemory(ILogger logger, int processId, long residentMB, int limitMB);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Extraction worker {ProcessId} was stopped: {Stop} ({Detail})")]
    private static partial void LogStopped(ILogger logger, int processId, WorkerStop stop, string detail);
}
