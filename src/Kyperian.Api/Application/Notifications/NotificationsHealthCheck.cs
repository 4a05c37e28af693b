using Kyperian.Domain.Ports;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Kyperian.Api.Application.Notifications;

/// <summary>
/// Degraded while any destination has dead-lettered a delivery in the last hour: a bad token or a gone webhook must
/// not go unnoticed. Names destinations only, never their addresses.
/// </summary>
public sealed class NotificationsHealthCheck(INotificationOutbox outbox, NotificationDestinations destinations, TimeProvider time) : IHealthCheck
{
    public static readonly TimeSpan Window = TimeSpan.FromHours(1);

    /// <summary>How many recent failures are looked at; more than that in an hour is Degraded either way.</summary>
    private const int Recent = 200;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // Read even with no destination configured here: the function serves /health for an engine that delivers.
        var since = time.GetUtcNow() - Window;
        var failed = await outbox.ListAsync(DeliveryStatus.Failed, Recent, cancellationToken);
        var recent = failed
            .Where(d => (d.LastAttemptAt ?? d.CreatedAt) >= since)
            .GroupBy(d => d.Destination, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key} ({g.Count()})")
            .ToList();
        var names = destinations.All.Count == 0 ? "no destination configured here" : string.Join(", ", destinations.All.Select(d => d.Name));
        return recent.Count == 0
            ? HealthCheckResult.Healthy($"{names}: nothing dead-lettered in the last hour")
            : HealthCheckResult.Degraded($"dead-lettered in the last hour: {string.Join(", ", recent)}; see GET /notifications?status=failed");
    }
}
