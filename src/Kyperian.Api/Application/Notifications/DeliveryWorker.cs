using System.Text.Json;
using Kyperian.Domain.Ports;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace Kyperian.Api.Application.Notifications;

/// <summary>
/// Sends what the outbox holds. Each destination has its own lane: its own workers (<c>MaxConcurrency</c>), its own
/// pace (<c>MinIntervalMs</c>) and its own retries, so a slow or dead destination holds up no other, and nothing here
/// is on the path of intake or decisions. Every attempt is recorded; a delivery that is refused for good (a 4xx other
/// than 408/429) or fails <c>MaxAttempts</c> times is dead-lettered and raises <c>system.deadletter</c> elsewhere.
/// </summary>
public sealed partial class DeliveryWorker(
    INotificationOutbox outbox,
    NotificationDestinations destinations,
    IEnumerable<INotificationSender> senders,
    NotificationPublisher publisher,
    DeliveryWakeup wakeup,
    SecretRedactor redactor,
    NotificationMetrics metrics,
    IOptions<NotifyOptions> options,
    TimeProvider time,
    ILogger<DeliveryWorker> logger) : BackgroundService
{
    private static readonly ResiliencePropertyKey<Attempt> AttemptKey = new("kyperian.delivery");

    private readonly NotifyOptions _options = options.Value;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var bySender = senders.ToDictionary(s => s.Kind);
        var workers = new List<Task>();
        foreach (var destination in destinations.All)
        {
            if (!bySender.TryGetValue(destination.Kind, out var sender))
            {
                LogNoSender(logger, destination.Name, destination.Kind);
                continue;
            }

            var lane = new Lane(destination, sender, new Pacer(destination.MinInterval, time), BuildPipeline(destination));
            for (var i = 0; i < destination.MaxConcurrency; i++)
            {
                workers.Add(Task.Run(() => RunLaneAsync(lane, stoppingToken), CancellationToken.None));
            }
        }

        return Task.WhenAll(workers);
    }

    private async Task RunLaneAsync(Lane lane, CancellationToken stoppingToken)
    {
        var lease = TimeSpan.FromSeconds(_options.LeaseSeconds);
        var poll = TimeSpan.FromMilliseconds(_options.PollIntervalMs);
        while (!stoppingToken.IsCancellationRequested)
        {
            // Taken before looking, so that a delivery enqueued while we look still wakes us.
            var woken = wakeup.Next(lane.Destination.Name);
            IReadOnlyList<OutboxDelivery> claimed;
            try
            {
                claimed = await outbox.ClaimDueAsync(lane.Destination.Name, time.GetUtcNow(), lease, 1, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogClaimFailed(logger, ex, lane.Destination.Name);
                claimed = [];
            }

            if (claimed.Count == 0)
            {
                await IdleAsync(woken, poll, stoppingToken);
                continue;
            }

            foreach (var delivery in claimed)
            {
                try
                {
                    await DeliverAsync(lane, delivery, stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    // The claim lapses and the delivery is taken up again after the restart.
                    return;
                }
                catch (Exception ex)
                {
                    // The outbox could not record the outcome: the claim lapses and the delivery is tried again.
                    LogRecordFailed(logger, ex, lane.Destination.Name, delivery.DeliveryId);
                }
            }
        }
    }

    private async Task IdleAsync(Task woken, TimeSpan poll, CancellationToken stoppingToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var tick = Task.Delay(poll, time, stop.Token);
        await Task.WhenAny(woken, tick);
        await stop.CancelAsync();
    }

    private async Task DeliverAsync(Lane lane, OutboxDelivery delivery, CancellationToken stoppingToken)
    {
        NotificationEvent? notification;
        try
        {
            notification = JsonSerializer.Deserialize(delivery.Payload, NotificationJsonContext.Default.NotificationEvent);
        }
        catch (JsonException)
        {
            notification = null;
        }

        if (notification is null)
        {
            await DeadLetterAsync(lane, delivery, delivery.Attempts, "the stored event is not readable", null, stoppingToken);
            return;
        }

        var attempt = new Attempt(lane, delivery, new OutgoingNotification(delivery.DeliveryId, notification, delivery.Payload, delivery.RawAlert))
        {
            Count = delivery.Attempts,
        };
        var context = ResilienceContextPool.Shared.Get(stoppingToken);
        context.Properties.Set(AttemptKey, attempt);
        SendResult result;
        try
        {
            result = await lane.Pipeline.ExecuteAsync(
                static (ctx, state) => state.worker.AttemptAsync(state.attempt, ctx.CancellationToken),
                context,
                (worker: this, attempt));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        if (result.Outcome == SendOutcome.Sent)
        {
            var sentAt = time.GetUtcNow();
            await outbox.MarkSentAsync(delivery.DeliveryId, attempt.Count, sentAt, CancellationToken.None);
            metrics.Sent(lane.Destination.Name, sentAt - notification.OccurredAt);
            LogSent(logger, lane.Destination.Name, delivery.DeliveryId, attempt.Count);
            return;
        }

        var error = result.Outcome == SendOutcome.Reject
            ? result.Error ?? "refused"
            : $"gave up after {attempt.Count} attempts: {result.Error}";
        await DeadLetterAsync(lane, delivery, attempt.Count, redactor.Redact(error), notification, stoppingToken);
    }

    /// <summary>One attempt, within the attempt timeout and the destination's pace.</summary>
    private async ValueTask<SendResult> AttemptAsync(Attempt attempt, CancellationToken cancellationToken)
    {
        await attempt.Lane.Pacer.WaitTurnAsync(cancellationToken);
        attempt.Count++;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(_options.AttemptTimeoutMs), time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var result = await attempt.Lane.Sender.SendAsync(attempt.Lane.Destination, attempt.Notification, linked.Token);
            return result with { Error = result.Error is null ? null : redactor.Redact(result.Error) };
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return SendResult.Retry($"no answer within {_options.AttemptTimeoutMs} ms");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Refused, reset, unreachable: the address may come back. The message names a host at most, and is redacted.
            return SendResult.Retry(redactor.Redact($"{ex.GetType().Name}: {(ex.InnerException ?? ex).Message}"));
        }
    }

    private ResiliencePipeline<SendResult> BuildPipeline(NotificationDestination destination)
    {
        var maxAttempts = _options.MaxAttempts;
        var maxRetryAfter = TimeSpan.FromSeconds(_options.MaxRetryAfterSeconds);
        var lease = TimeSpan.FromSeconds(_options.LeaseSeconds);
        return new ResiliencePipelineBuilder<SendResult> { Name = "notify-" + destination.Name, TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<SendResult>
            {
                // Attempts made before a restart count: the total never passes MaxAttempts.
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Result.Outcome == SendOutcome.Retry
                    && args.Context.Properties.GetValue(AttemptKey, null!) is { } attempt
                    && attempt.Count < maxAttempts),
                MaxRetryAttempts = Math.Max(1, maxAttempts),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(_options.RetryBaseDelayMs),
                MaxDelay = TimeSpan.FromMilliseconds(_options.RetryMaxDelayMs),

                // The destination's own word wins over the backoff: Retry-After, retry_after.
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(
                    args.Outcome.Result.RetryAfter is { } wait ? (wait < maxRetryAfter ? wait : maxRetryAfter) : null),
                OnRetry = async args =>
                {
                    var attempt = args.Context.Properties.GetValue(AttemptKey, null!);
                    var now = time.GetUtcNow();
                    var error = args.Outcome.Result.Error ?? "failed";
                    LogRetrying(logger, destination.Name, attempt.Delivery.DeliveryId, attempt.Count, args.RetryDelay.TotalMilliseconds, error);
                    try
                    {
                        await outbox.MarkRetryingAsync(
                            attempt.Delivery.DeliveryId, attempt.Count, now, error, now + args.RetryDelay, now + args.RetryDelay + lease, CancellationToken.None);
                    }
                    catch (Exception ex)
                    {
                        // Not fatal: the retry goes ahead; a restart before it would re-count this attempt.
                        LogRecordFailed(logger, ex, destination.Name, attempt.Delivery.DeliveryId);
                    }
                },
            })
            .Build();
    }

    private async Task DeadLetterAsync(
        Lane lane, OutboxDelivery delivery, int attempts, string error, NotificationEvent? failed, CancellationToken stoppingToken)
    {
        var now = time.GetUtcNow();
        await outbox.MarkFailedAsync(delivery.DeliveryId, attempts, now, error, CancellationToken.None);
        metrics.DeadLettered(lane.Destination.Name);
        LogDeadLettered(logger, lane.Destination.Name, delivery.DeliveryId, attempts, error);

        // A give-up about a give-up is not raised again: two dead destinations would feed each other forever.
        if (failed?.Type == NotificationEventType.SystemDeadLetter)
        {
            return;
        }

        var deadLetter = NotificationEvents.ForDeadDelivery(delivery, attempts, error, failed, now);
        try
        {
            await publisher.PublishAsync(deadLetter, rawAlert: null, stoppingToken, except: lane.Destination.Name);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogRecordFailed(logger, ex, lane.Destination.Name, deadLetter.Id);
        }
    }

    private sealed record Lane(NotificationDestination Destination, INotificationSender Sender, Pacer Pacer, ResiliencePipeline<SendResult> Pipeline);

    private sealed class Attempt(Lane lane, OutboxDelivery delivery, OutgoingNotification notification)
    {
        public Lane Lane { get; } = lane;

        public OutboxDelivery Delivery { get; } = delivery;

        public OutgoingNotification Notification { get; } = notification;

        /// <summary>Attempts made so far, this run and before it.</summary>
        public int Count { get; set; }
    }

    /// <summary>A destination's rate limit: attempts start at least <c>interval</c> apart, on the app's clock.</summary>
    private sealed class Pacer(TimeSpan interval, TimeProvider time)
    {
        private readonly Lock _gate = new();
        private DateTimeOffset _next = DateTimeOffset.MinValue;

        public async ValueTask WaitTurnAsync(CancellationToken cancellationToken)
        {
            if (interval <= TimeSpan.Zero)
            {
                return;
            }

            DateTimeOffset now;
            DateTimeOffset slot;
            lock (_gate)
            {
                now = time.GetUtcNow();
                slot = now > _next ? now : _next;
                _next = slot + interval;
            }

            if (slot > now)
            {
                await Task.Delay(slot - now, time, cancellationToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notifications: no sender for {Destination} ({Kind}); its deliveries stay pending")]
    private static partial void LogNoSender(ILogger logger, string destination, DestinationKind kind);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notifications: could not claim due deliveries for {Destination}")]
    private static partial void LogClaimFailed(ILogger logger, Exception exception, string destination);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notifications: could not record the outcome of {DeliveryId} to {Destination}; it will be tried again")]
    private static partial void LogRecordFailed(ILogger logger, Exception exception, string destination, string deliveryId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Notifications: {DeliveryId} sent to {Destination} after {Attempts} attempt(s)")]
    private static partial void LogSent(ILogger logger, string destination, string deliveryId, int attempts);

    [LoggerMessage(Level = LogLevel.Information, Message = "Notifications: {DeliveryId} to {Destination} failed attempt {Attempt}; next in {DelayMs:F0} ms: {Error}")]
    private static partial void LogRetrying(ILogger logger, string destination, string deliveryId, int attempt, double delayMs, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notifications: {DeliveryId} to {Destination} dead-lettered after {Attempts} attempt(s): {Error}")]
    private static partial void LogDeadLettered(ILogger logger, string destination, string deliveryId, int attempts, string error);
}
