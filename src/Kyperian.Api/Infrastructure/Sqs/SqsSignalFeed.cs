using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using Amazon.SQS;
using Amazon.SQS.Model;
using Kyperian.Api.Infrastructure.Bus;
using Kyperian.Api.Infrastructure.EventBridge;
using Kyperian.Api.Infrastructure.Resilience;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Signals;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Infrastructure.Sqs;

/// <summary>
/// The engine's input in AWS: SQS behind the EventBridge rule. Long polls (20 s, 10 messages), keeps at most
/// <see cref="SqsOptions.MaxInFlight"/> messages in hand, extends their visibility while the engine works, deletes a
/// message only once its decision is stored (<c>CompleteAsync</c>), and never deletes what it cannot read: a poison
/// message comes back until the queue's redrive policy moves it to the DLQ. Redelivery is harmless because the
/// decision store's conditional put records a signal's decision once.
/// </summary>
public sealed partial class SqsSignalFeed(
    IAmazonSQS sqs,
    IOptions<SqsOptions> options,
    ResiliencePipelines resilience,
    TimeProvider time,
    ILogger<SqsSignalFeed> logger) : ISignalFeed
{
    private readonly SqsOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, InFlight> _inFlight = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _slots = new(Math.Max(1, options.Value.MaxInFlight));



    public async IAsyncEnumerable<SignalDelivery> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var queueUrl = _options.QueueUrl;
        if (string.IsNullOrWhiteSpace(queueUrl))
        {
            throw new InvalidOperationException("Kyperian:Sqs:QueueUrl is not set.");
        }

        var channel = Channel.CreateUnbounded<SignalDelivery>(new UnboundedChannelOptions { SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var receiving = ReceiveLoopAsync(queueUrl, channel.Writer, stop.Token);
        var extending = ExtendLoopAsync(queueUrl, stop.Token);
        try
        {
            await foreach (var delivery in channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return delivery;
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(receiving, extending);
        }
    }

    private async Task ReceiveLoopAsync(string queueUrl, ChannelWriter<SignalDelivery> writer, CancellationToken cancellationToken)
    {
        var maxBatch = Math.Clamp(_options.MaxMessages, 1, 10);
        var failures = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await _slots.WaitAsync(cancellationToken);
                var taken = 1;
                while (taken < maxBatch && _slots.Wait(0))
                {
                    taken++;
                }

                List<Message> messages;
                try
                {
                    var response = await resilience.ExecuteAsync(
                        Backend.SqsReceive,
                        (s, ct) => new ValueTask<ReceiveMessageResponse>(s.sqs.ReceiveMessageAsync(s.request, ct)),
                        (sqs, request: new ReceiveMessageRequest
                        {
                            QueueUrl = queueUrl,
                            MaxNumberOfMessages = taken,
                            WaitTimeSeconds = Math.Clamp(_options.WaitTimeSeconds, 0, ResilienceOptions.SqsLongPollSeconds),
                            VisibilityTimeout = _options.VisibilityTimeoutSeconds,
                            MessageSystemAttributeNames = ["ApproximateReceiveCount"],
                        }),
                        cancellationToken);
                    messages = response.Messages ?? [];
                    failures = 0;
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    _slots.Release(taken);
                    failures++;
                    LogReceiveFailed(logger, ex, failures);
                    await Task.Delay(TimeSpan.FromMilliseconds(_options.ErrorBackoffMs * Math.Min(failures, 10)), cancellationToken);
                    continue;
                }
                catch
                {
                    _slots.Release(taken);
                    throw;
                }

                if (taken > messages.Count)
                {
                    _slots.Release(taken - messages.Count);
                }

                foreach (var message in messages)
                {
                    if (Read(message) is not { } signal)
                    {
                        // Left as received: it reappears after its visibility timeout until the redrive policy moves it.
                        LogPoison(logger, message.MessageId, Attempt(message));
                        _slots.Release();
                        continue;
                    }

                    var held = new InFlight(message.MessageId, message.ReceiptHandle, Attempt(message), time.GetUtcNow(), _options.VisibilityTimeoutSeconds);
                    _inFlight[message.ReceiptHandle] = held;
                    await writer.WriteAsync(
                        new SignalDelivery(
                            signal,
                            ct => CompleteAsync(queueUrl, held, ct),
                            ct => AbandonAsync(queueUrl, held, ct),
                            held.Attempt),
                        cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            writer.TryComplete();
        }
    }

    /// <summary>Renews the visibility of messages still being worked on, before it lapses.</summary>
    private async Task ExtendLoopAsync(string queueUrl, CancellationToken cancellationToken)
    {
        var visibility = TimeSpan.FromSeconds(Math.Max(1, _options.VisibilityTimeoutSeconds));
        using var timer = new PeriodicTimer(visibility / 6, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var now = time.GetUtcNow();
                foreach (var held in _inFlight.Values)
                {
                    if (held.VisibleUntil - now > visibility / 2 || held.Done)
                    {
                        continue;
                    }

                    if (now - held.ReceivedAt > TimeSpan.FromSeconds(_options.MaxExtensionSeconds))
                    {
                        continue;
                    }

                    try
                    {
                        await ChangeVisibilityAsync(queueUrl, held.ReceiptHandle, _options.VisibilityTimeoutSeconds, cancellationToken);
                        held.VisibleUntil = now + visibility;
                        LogExtended(logger, held.MessageId, _options.VisibilityTimeoutSeconds);
                    }
                    catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                    {
                        LogExtendFailed(logger, ex, held.MessageId);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task CompleteAsync(string queueUrl, InFlight held, CancellationToken cancellationToken)
    {
        if (!held.Finish())
        {
            return;
        }

        try
        {
            await resilience.ExecuteAsync(
                Backend.Sqs,
                (s, ct) => new ValueTask<DeleteMessageResponse>(s.sqs.DeleteMessageAsync(s.queueUrl, s.receipt, ct)),
                (sqs, queueUrl, receipt: held.ReceiptHandle),
                cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The decision is stored: the message comes back and is decided again, idempotently.
            LogDeleteFailed(logger, ex, held.MessageId);
        }
        finally
        {
            Release(held);
        }
    }

    private async Task AbandonAsync(string queueUrl, InFlight held, CancellationToken cancellationToken)
    {
        if (!held.Finish())
        {
            return;
        }

        try
        {
            // Back off by receive count, so a signal failing on a broken backend does not spin.
            var delay = Math.Min(300, Math.Max(0, _options.AbandonDelaySeconds) * held.Attempt);
            await ChangeVisibilityAsync(queueUrl, held.ReceiptHandle, delay, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Its visibility lapses on its own.
            LogExtendFailed(logger, ex, held.MessageId);
        }
        finally
        {
            Release(held);
        }
    }

    private void Release(InFlight held)
    {
        _inFlight.TryRemove(held.ReceiptHandle, out _);
        _slots.Release();
    }

    private async Task ChangeVisibilityAsync(string queueUrl, string receiptHandle, int seconds, CancellationToken cancellationToken) =>
        await resilience.ExecuteAsync(
            Backend.Sqs,
            (s, ct) => new ValueTask<ChangeMessageVisibilityResponse>(
                s.sqs.ChangeMessageVisibilityAsync(s.queueUrl, s.receiptHandle, s.seconds, ct)),
            (sqs, queueUrl, receiptHandle, seconds),
            cancellationToken);

    /// <summary>The signal in an EventBridge envelope, or null when the message is not one.</summary>
    internal static Signal? Read(Message message)
    {
        try
        {
            var envelope = JsonSerializer.Deserialize(message.Body, BusJsonContext.Default.EventEnvelope);
            if (envelope is null
                || envelope.DetailType != EventBridgeEventBus.SignalDetailType
                || envelope.Source != EventBridgeEventBus.SignalSource
                || envelope.Detail.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var signal = envelope.Detail.Deserialize(BusJsonContext.Default.Signal);
            return signal is { SignalId.Length: > 0 } ? signal : null;
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or ArgumentException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }

    private static int Attempt(Message message) =>
        message.Attributes is { } attributes
        && attributes.TryGetValue("ApproximateReceiveCount", out var count)
        && int.TryParse(count, NumberStyles.Integer, CultureInfo.InvariantCulture, out var attempt)
            ? attempt
            : 1;

    private sealed class InFlight(string messageId, string receiptHandle, int attempt, DateTimeOffset receivedAt, int visibilitySeconds)
    {
        private int _done;

        public string MessageId { get; } = messageId;

        public string ReceiptHandle { get; } = receiptHandle;

        public int Attempt { get; } = attempt;

        public DateTimeOffset ReceivedAt { get; } = receivedAt;

        public DateTimeOffset VisibleUntil { get; set; } = receivedAt.AddSeconds(visibilitySeconds);

        public bool Done => Volatile.Read(ref _done) == 1;

        /// <summary>True for the first of complete or abandon: each message is settled once.</summary>
        public bool Finish() => Interlocked.Exchange(ref _done, 1) == 0;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Receiving from SQS failed ({Failures} in a row)")]
    private static partial void LogReceiveFailed(ILogger logger, Exception exception, int failures);

    [LoggerMessage(Level = LogLevel.Error, Message = "SQS message {MessageId} is not a signal event (receive {Attempt}); left for the dead-letter queue")]
    private static partial void LogPoison(ILogger logger, string messageId, int attempt);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Extended visibility of SQS message {MessageId} by {Seconds} s")]
    private static partial void LogExtended(ILogger logger, string messageId, int seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Changing visibility of SQS message {MessageId} failed")]
    private static partial void LogExtendFailed(ILogger logger, Exception exception, string messageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting SQS message {MessageId} failed; it will be redelivered and decided idempotently")]
    private static partial void LogDeleteFailed(ILogger logger, Exception exception, string messageId);
}
