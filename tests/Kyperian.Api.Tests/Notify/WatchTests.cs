using Kyperian.Api.Application.Notifications;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Kyperian.Api.Tests.Notify;

/// <summary>The silence watch and the health check: what an operator learns without asking.</summary>
public sealed class WatchTests : IAsyncLifetime
{
    private readonly SlackReceiver _slack = new();

    public Task InitializeAsync() => _slack.InitializeAsync();

    public Task DisposeAsync() => _slack.DisposeAsync();

    [Fact]
    public async Task Silence_is_raised_once_per_silent_stretch()
    {
        await using var harness = await NotifyHarness.StartAsync(new()
        {
            ["Kyperian:Notify:Events"] = "*",
            ["Kyperian:Notify:SilenceHours"] = "2",
            ["Kyperian:Notify:Slack:WebhookUrl"] = _slack.Url + SlackReceiver.Path,
            ["Kyperian:Notify:Slack:MinIntervalMs"] = "0",
        });
        var activity = harness.Services.GetRequiredService<AlertActivity>();
        activity.Seen(harness.Clock.GetUtcNow());

        await harness.UntilAsync(() => harness.Outbox.All.Any(d => d.Status == Kyperian.Domain.Ports.DeliveryStatus.Sent), "the silence told", step: TimeSpan.FromMinutes(1));
        var silent = harness.Outbox.All.Single();
        Assert.Equal("system.silence", silent.EventType);
        Assert.StartsWith("🔕 No alert for 2 h", _slack.Accepted.Single().Json["text"]!.GetValue<string>(), StringComparison.Ordinal);

        // Still silent an hour later: nothing new. An alert, then two more silent hours: told again.
        harness.Clock.Advance(TimeSpan.FromHours(1));
        activity.Seen(harness.Clock.GetUtcNow());
        await harness.UntilAsync(() => harness.Outbox.All.Count(d => d.Status == Kyperian.Domain.Ports.DeliveryStatus.Sent) == 2, "the second silence told", step: TimeSpan.FromMinutes(1));
        Assert.Equal(2, _slack.Accepted.Count);
        Assert.Equal(2, harness.Outbox.All.Select(d => d.EventId).Distinct().Count());
    }

    [Fact]
    public async Task Health_is_degraded_for_an_hour_after_a_dead_letter()
    {
        await using var harness = await NotifyHarness.StartAsync(new() { ["Kyperian:Notify:Slack:WebhookUrl"] = _slack.Url + SlackReceiver.Path }, startWorker: false);
        var check = ActivatorUtilities.CreateInstance<NotificationsHealthCheck>(harness.Services);
        var context = new HealthCheckContext { Registration = new HealthCheckRegistration("notifications", check, HealthStatus.Degraded, null) };

        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(context)).Status);

        var delivery = harness.Publisher.DeliveriesFor(NotifyData.ExecuteEvent(), null).Single();
        await harness.Outbox.EnqueueAsync([delivery], CancellationToken.None);
        await harness.Outbox.MarkFailedAsync(delivery.DeliveryId, 1, harness.Clock.GetUtcNow(), "HTTP 404: no_service", CancellationToken.None);
        var degraded = await check.CheckHealthAsync(context);
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Equal("dead-lettered in the last hour: slack (1); see GET /notifications?status=failed", degraded.Description);
        Assert.DoesNotContain(SlackReceiver.Path, degraded.Description, StringComparison.Ordinal);

        harness.Clock.Advance(TimeSpan.FromMinutes(61));
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(context)).Status);
    }
}
