using System.Text.Json;
using Kyperian.Api.Infrastructure.Bus;
using Kyperian.Api.Infrastructure.Resilience;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Signals;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Infrastructure.EventBridge;

/// <summary>
/// Signals (<c>kyperian.webhook</c> / <c>Signal Validated</c>) and decisions (<c>kyperian.engine</c> / <c>Decision Made</c>)
/// onto the EventBridge bus, detail = camelCase JSON. Batches hold at most 10 entries and 256 KiB. A call that fails
/// as a whole is retried by the backend's pipeline; a 200 that reports failed entries has only those whose code is
/// <c>InternalFailure</c> or <c>ThrottlingException</c> resent, after a jittered pause; any other failure is final.
/// </summary>
public sealed partial class EventBridgeEventBus(
    IPutEventsClient client,
    IOptions<EventBridgeOptions> options,
    ResiliencePipelines resilience,
    ILogger<EventBridgeEventBus> logger) : IEventBus
{
    public const string SignalSource = "kyperian.webhook";
    public const string SignalDetailType = "Signal Validated";
    public const string DecisionSource = "kyperian.engine";
    public const string DecisionDetailType = "Decision Made";

    private readonly EventBridgeOptions _options = options.Value;

    public Task PublishSignalAsync(Signal signal, CancellationToken cancellationToken) =>
        PublishAsync([SignalEntry(signal)], cancellationToken);

    public Task PublishDecisionAsync(Decision decision, CancellationToken cancellationToken) =>
        PublishAsync([DecisionEntry(decision)], cancellationToken);

    public PutEventsEntry SignalEntry(Signal signal) => new(
        SignalSource,
        SignalDetailType,
        JsonSerializer.Serialize(signal, BusJsonContext.Default.Signal),
        _options.BusName);

    public PutEventsEntry DecisionEntry(Decision decision) => new(
        DecisionSource,
        DecisionDetailType,
        JsonSerializer.Serialize(decision, BusJsonContext.Default.Decision),
        _options.BusName);

    /// <summary>Publishes every entry or throws <see cref="EventBridgePublishException"/> naming those the bus did not take.</summary>
    public async Task PublishAsync(IReadOnlyList<PutEventsEntry> entries, CancellationToken cancellationToken)
    {
        foreach (var entry in entries)
        {
            if (entry.Size > PutEventsEntry.MaxBatchBytes)
            {
                throw new ArgumentException($"An event of {entry.Size} bytes exceeds EventBridge's {PutEventsEntry.MaxBatchBytes}.", nameof(entries));
            }
        }

        var failed = new List<(PutEventsEntry, string, string?)>();
        IReadOnlyList<PutEventsEntry> pending = entries;
        for (var round = 0; pending.Count > 0; round++)
        {
            var retry = new List<PutEventsEntry>();
            foreach (var batch in Batches(pending))
            {
                var result = await resilience.ExecuteAsync(
                    Backend.EventBridge,
                    (b, ct) => new ValueTask<PutEventsResult>(client.PutEventsAsync(b, ct)),
                    batch,
                    cancellationToken);
                for (var i = 0; i < batch.Count; i++)
                {
                    var outcome = result.Entries[i];
                    if (outcome.ErrorCode is null)
                    {
                        continue;
                    }

                    if (outcome.ErrorCode is "InternalFailure" or "ThrottlingException" && round < _options.EntryRetries)
                    {
                        retry.Add(batch[i]);
                    }
                    else
                    {
                        failed.Add((batch[i], outcome.ErrorCode, outcome.ErrorMessage));
                    }
                }
            }

            if (retry.Count > 0)
            {
                LogResending(logger, retry.Count, round + 1);
                var pause = _options.EntryRetryDelayMs * (1 << Math.Min(round, 10));
                await Task.Delay(TimeSpan.FromMilliseconds(pause / 2.0 + Random.Shared.NextDouble() * pause), cancellationToken);
            }

            pending = retry;
        }

        if (failed.Count > 0)
        {
            throw new EventBridgePublishException(failed);
        }
    }

    /// <summary>Consecutive runs of at most 10 entries and 256 KiB, in order.</summary>
    public static IEnumerable<IReadOnlyList<PutEventsEntry>> Batches(IReadOnlyList<PutEventsEntry> entries)
    {
        var batch = new List<PutEventsEntry>(PutEventsEntry.MaxBatchEntries);
        var bytes = 0;
        foreach (var entry in entries)
        {
            var size = entry.Size;
            if (batch.Count == PutEventsEntry.MaxBatchEntries || (batch.Count > 0 && bytes + size > PutEventsEntry.MaxBatchBytes))
            {
                yield return batch;
                batch = new List<PutEventsEntry>(PutEventsEntry.MaxBatchEntries);
                bytes = 0;
            }

            batch.Add(entry);
            bytes += size;
        }

        if (batch.Count > 0)
        {
            yield return batch;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "EventBridge reported {Count} entries failed retryably; resending them (round {Round})")]
    private static partial void LogResending(ILogger logger, int count, int round);
}
