using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Memic.Core.Telemetry;

/// <summary>
/// The app's own traces and metrics, defined once here with System.Diagnostics so that Core needs no OpenTelemetry
/// package: the hosts subscribe to <see cref="Name"/> (their OpenTelemetry set-up) and export what is recorded. Names
/// and tags are what docs/telemetry.md and the workbook in infra/ query, so change them together.
/// </summary>
public static class MemicTelemetry
{
    /// <summary>The ActivitySource and the Meter both carry this name.</summary>
    public const string Name = "Memic";

    public const string EnvironmentIdTag = "memic.environment_id";
    public const string FileIdTag = "memic.file_id";
    public const string StepTag = "memic.ingestion.step";
    public const string OutcomeTag = "memic.outcome";
    public const string QueueTag = "memic.queue";

    public const string SearchSpan = "memic.search";
    public const string IngestionSpan = "memic.ingestion";

    /// <summary>A step's span is named <c>memic.ingestion.&lt;step&gt;</c>: conversion, parsing, chunking, embedding.</summary>
    public static string IngestionStepSpan(string step) => $"{IngestionSpan}.{step}";

    public const string SearchDurationMetric = "memic.search.duration";
    public const string IngestedFilesMetric = "memic.ingestion.files";
    public const string IngestedBytesMetric = "memic.ingestion.bytes";
    public const string IngestedChunksMetric = "memic.ingestion.chunks";
    public const string IngestionStepDurationMetric = "memic.ingestion.step.duration";
    public const string QueueDepthMetric = "memic.ingestion.queue.depth";

    public const string Succeeded = "succeeded";
    public const string Failed = "failed";

    public static readonly ActivitySource Source = new(Name);

    public static readonly Meter Meter = new(Name);

    private static readonly Histogram<double> SearchDuration = Meter.CreateHistogram<double>(
        SearchDurationMetric, "ms", "Time to answer one retrieval (query embedding, index query, ranking).");

    private static readonly Counter<long> IngestedFiles = Meter.CreateCounter<long>(
        IngestedFilesMetric, "{file}", "Files whose ingestion ended, by outcome (succeeded: ready; failed: at the step named).");

    private static readonly Counter<long> IngestedBytes = Meter.CreateCounter<long>(
        IngestedBytesMetric, "By", "Bytes of the files that became ready.");

    private static readonly Counter<long> IngestedChunks = Meter.CreateCounter<long>(
        IngestedChunksMetric, "{chunk}", "Chunks embedded and indexed.");

    private static readonly Histogram<double> IngestionStepDuration = Meter.CreateHistogram<double>(
        IngestionStepDurationMetric, "ms", "Time one ingestion step took, by step and outcome.");

    private static readonly ConcurrentDictionary<string, Func<long>> QueueDepths = new(StringComparer.Ordinal);

    static MemicTelemetry()
    {
        Meter.CreateObservableGauge(
            QueueDepthMetric,
            () => QueueDepths.Select(q => new Measurement<long>(q.Value(), new KeyValuePair<string, object?>(QueueTag, q.Key))),
            "{file}",
            "Files waiting for an ingestion worker, per queue of this process.");
    }

    /// <summary>The span of one retrieval in an environment; null when nobody listens.</summary>
    public static Activity? StartSearch(Guid environmentId) =>
        Source.StartActivity(SearchSpan)?.SetTag(EnvironmentIdTag, environmentId.ToString());

    public static void RecordSearch(Guid environmentId, TimeSpan duration, bool succeeded) =>
        SearchDuration.Record(duration.TotalMilliseconds, Tags(environmentId, succeeded));

    /// <summary>The span of one ingestion run of a file; its steps' spans are its children.</summary>
    public static Activity? StartIngestion(Guid environmentId, Guid fileId) =>
        Source.StartActivity(IngestionSpan)?.SetTag(EnvironmentIdTag, environmentId.ToString()).SetTag(FileIdTag, fileId.ToString());

    public static Activity? StartIngestionStep(string step, Guid environmentId, Guid fileId) =>
        Source.StartActivity(IngestionStepSpan(step))
            ?.SetTag(EnvironmentIdTag, environmentId.ToString())
            .SetTag(FileIdTag, fileId.ToString())
            .SetTag(StepTag, step);

    public static void RecordIngestionStep(string step, Guid environmentId, TimeSpan duration, bool succeeded)
    {
        var tags = Tags(environmentId, succeeded);
        tags.Add(StepTag, step);
        IngestionStepDuration.Record(duration.TotalMilliseconds, tags);
    }

    public static void RecordFileReady(Guid environmentId, long bytes, int chunks)
    {
        var tags = Tags(environmentId, succeeded: true);
        IngestedFiles.Add(1, tags);
        IngestedBytes.Add(bytes, new KeyValuePair<string, object?>(EnvironmentIdTag, environmentId.ToString()));
        IngestedChunks.Add(chunks, new KeyValuePair<string, object?>(EnvironmentIdTag, environmentId.ToString()));
    }

    public static void RecordFileFailed(Guid environmentId, string step)
    {
        var tags = Tags(environmentId, succeeded: false);
        tags.Add(StepTag, step);
        IngestedFiles.Add(1, tags);
    }

    /// <summary>
    /// Reports a queue's depth through <see cref="QueueDepthMetric"/> until the returned handle is disposed. The gauge
    /// reads <paramref name="depth"/> on each collection, so it must be cheap and must not block.
    /// </summary>
    public static IDisposable ObserveQueueDepth(string queue, Func<long> depth)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        ArgumentNullException.ThrowIfNull(depth);
        QueueDepths[queue] = depth;
        return new QueueObservation(queue, depth);
    }

    /// <summary>Marks a span failed, with the exception's type only: messages can quote documents or keys.</summary>
    public static void Fail(Activity? activity, Exception? exception = null)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error, exception?.GetType().Name);
        if (exception is not null)
        {
            activity.SetTag("error.type", exception.GetType().FullName);
        }
    }

    private static TagList Tags(Guid environmentId, bool succeeded) => new()
    {
        { EnvironmentIdTag, environmentId.ToString() },
        { OutcomeTag, succeeded ? Succeeded : Failed },
    };

    private sealed class QueueObservation(string queue, Func<long> depth) : IDisposable
    {
        public void Dispose() => QueueDepths.TryRemove(KeyValuePair.Create(queue, depth));
    }
}
