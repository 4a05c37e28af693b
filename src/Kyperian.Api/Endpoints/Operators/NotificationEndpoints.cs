using System.Globalization;
using Kyperian.Api.Application.Notifications;
using Kyperian.Api.Endpoints.Contracts;
using Kyperian.Api.Endpoints.Http;
using Kyperian.Domain.Ports;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Kyperian.Api.Endpoints.Operators;

/// <summary>The notification outbox for operators: what is waiting, sent or dead-lettered, and sending a dead letter again.</summary>
public static class NotificationEndpoints
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 200;

    public static IEndpointRouteBuilder MapNotificationEndpoints(this IEndpointRouteBuilder app)
    {
        var notifications = app.MapGroup("/notifications").WithTags("Notifications").RequireOperatorKey();
        notifications.MapGet("/", ListAsync).WithName("ListNotifications")
            .WithSummary("Deliveries by status (pending, the default; sent; failed), most recent first, with attempts and last error");
        notifications.MapPost("/{id}/retry", RetryAsync).WithName("RetryNotification")
            .WithSummary("Send a failed (dead-lettered) delivery again, its attempts counted afresh");
        return app;
    }

    private static async Task<Results<Ok<IReadOnlyList<NotificationView>>, ValidationProblem>> ListAsync(
        [FromQuery] string? status, [FromQuery] string? limit, INotificationOutbox outbox, CancellationToken ct)
    {
        var parsedStatus = ParseStatus(status);
        int? parsedLimit = limit is null ? DefaultLimit
            : int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out var l) && l is >= 1 and <= MaxLimit ? l
            : null;
        if (parsedStatus is not { } statusValue || parsedLimit is not { } count)
        {
            var errors = new Dictionary<string, string[]>();
            if (parsedStatus is null)
            {
                errors["status"] = ["must be pending, sent or failed"];
            }

            if (parsedLimit is null)
            {
                errors["limit"] = [$"must be a whole number from 1 to {MaxLimit}"];
            }

            return TypedResults.ValidationProblem(errors, title: "The query is invalid");
        }

        var deliveries = await outbox.ListAsync(statusValue, count, ct);
        return TypedResults.Ok<IReadOnlyList<NotificationView>>([.. deliveries.Select(NotificationView.From)]);
    }

    private static async Task<Results<Ok<NotificationView>, ProblemHttpResult>> RetryAsync(
        string id, INotificationOutbox outbox, NotificationPublisher publisher, TimeProvider time, CancellationToken ct)
    {
        if (await outbox.GetAsync(id, ct) is not { } delivery)
        {
            return Problems.NotFound("delivery");
        }

        if (delivery.Status != DeliveryStatus.Failed || !await outbox.RetryAsync(id, time.GetUtcNow(), ct))
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "Not dead-lettered",
                detail: $"Only a failed delivery can be retried; this one is {NotificationView.StatusName(delivery.Status)}.");
        }

        // Wakes the destination when deliveries run in this process; an engine elsewhere finds it at its next poll.
        publisher.Enqueued([delivery]);
        var retried = await outbox.GetAsync(id, ct) ?? delivery;
        return TypedResults.Ok(NotificationView.From(retried));
    }

    private static DeliveryStatus? ParseStatus(string? status) => status?.Trim().ToLowerInvariant() switch
    {
        null or "" or "pending" => DeliveryStatus.Pending,
        "sent" => DeliveryStatus.Sent,
        "failed" => DeliveryStatus.Failed,
        _ => null,
    };
}
