using System.Diagnostics.Metrics;

namespace Kyperian.Api.Infrastructure.Embedded;

/// <summary>
/// How the embedded database's single writer is doing, on the <c>Kyperian.Embedded</c> meter (read it with
/// <c>dotnet-counters monitor --counters Kyperian.Embedded</c>): every request that writes waits for a commit, so a slow
/// commit or a checkpoint on the writer's path is the whole app's tail.
/// </summary>
internal sealed class EmbeddedMetrics
{
    public const string MeterName = "Kyperian.Embedded";

    private readonly Histogram<double> _commitTime;
    private readonly Histogram<int> _commitWrites;
    private readonly Histogram<double> _checkpointTime;

    public EmbeddedMetrics(IMeterFactory? meterFactory, Func<long> backlog)
    {
        var meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _commitTime = meter.CreateHistogram<double>("kyperian.embedded.commit.duration", "ms", "One transaction of the writer, from BEGIN to COMMIT");
        _commitWrites = meter.CreateHistogram<int>("kyperian.embedded.commit.writes", "{write}", "Write requests committed together");
        _checkpointTime = meter.CreateHistogram<double>("kyperian.embedded.checkpoint.duration", "ms", "Copying the write-ahead log into the file, by where it ran");
        meter.CreateObservableGauge("kyperian.embedded.write.backlog", backlog, "{write}", "Write requests queued and not yet committed");
    }

    public void Committed(TimeSpan elapsed, int writes)
    {
        _commitTime.Record(elapsed.TotalMilliseconds);
        _commitWrites.Record(writes);
    }

    /// <param name="elapsed">How long it took.</param>
    /// <param name="onWriter">True when it held the writer (between two batches), false on its own connection.</param>
    public void Checkpointed(TimeSpan elapsed, bool onWriter) =>
        _checkpointTime.Record(elapsed.TotalMilliseconds, new KeyValuePair<string, object?>("on", onWriter ? "writer" : "background"));
}
