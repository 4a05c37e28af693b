using Kyperian.Api.Application.Notifications;
using Kyperian.Api.Infrastructure.Notify;
using Kyperian.Domain.Decisions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Tests.Notify;

/// <summary>The <c>Kyperian:Notify</c> settings: which events go where, and what a wrong setting says.</summary>
public sealed class NotificationSettingsTests
{
    [Fact]
    public void Executions_risk_and_give_ups_go_out_by_default_vetoes_and_silence_do_not()
    {
        var destinations = Destinations(new() { ["Kyperian:Notify:Slack:WebhookUrl"] = "https://hooks.slack.com/services/T0/B0/abcdefabcdefabcdef" });

        var slack = Assert.Single(destinations.All);
        Assert.Equal("slack", slack.Name);
        Assert.True(slack.Takes(NotificationEventType.DecisionExecute));
        Assert.True(slack.Takes(NotificationEventType.RiskHalt));
        Assert.True(slack.Takes(NotificationEventType.SystemDeadLetter));
        Assert.False(slack.Takes(NotificationEventType.DecisionVeto));
        Assert.False(slack.Takes(NotificationEventType.SystemSilence));
    }

    [Fact]
    public void The_global_choice_picks_and_a_destination_narrows_it()
    {
        var destinations = Destinations(new()
        {
            ["Kyperian:Notify:Events"] = "decision.execute, decision.veto, risk.halt",
            ["Kyperian:Notify:Slack:WebhookUrl"] = "https://hooks.slack.com/services/T0/B0/abcdefabcdefabcdef",
            ["Kyperian:Notify:Slack:Events"] = "decision.veto;system.silence",
            ["Kyperian:Notify:Webhooks:0:Url"] = "https://example.test/hook",
            ["Kyperian:Notify:Webhooks:0:Secret"] = "whsec-0123456789abcdef",
        });

        Assert.Equal([NotificationEventType.DecisionVeto], destinations.Find("slack")!.Events);
        Assert.Equal(
            [NotificationEventType.DecisionExecute, NotificationEventType.DecisionVeto, NotificationEventType.RiskHalt],
            destinations.Find("webhook-0")!.Events.Order());
    }

    [Fact]
    public void A_preset_destination_only_takes_executions()
    {
        var destinations = Destinations(new()
        {
            ["Kyperian:Notify:Events"] = "*",
            ["Kyperian:Notify:Webhooks:0:Url"] = "https://webhooks.traderspost.io/trading/webhook/uuid/password",
            ["Kyperian:Notify:Webhooks:0:Secret"] = "whsec-0123456789abcdef",
            ["Kyperian:Notify:Webhooks:0:Preset"] = "TradersPost",
        });

        var bridge = destinations.Find("webhook-0")!;
        Assert.Equal([NotificationEventType.DecisionExecute], bridge.Events);
        Assert.NotNull(bridge.Template);
    }

    [Fact]
    public void Wrong_settings_stop_the_start_naming_the_key_and_never_the_secret()
    {
        using var services = Services(new()
        {
            ["Kyperian:Notify:Events"] = "decision.execute,decision.maybe",
            ["Kyperian:Notify:Telegram:BotToken"] = "7012345678:AAH-secret-token-abcdefghijkl",
            ["Kyperian:Notify:Webhooks:0:Url"] = "ftp://example.test/super-secret-path-0123456789",
            ["Kyperian:Notify:Webhooks:1:Url"] = "https://example.test/hook",
            ["Kyperian:Notify:Webhooks:1:Secret"] = "whsec-0123456789abcdef",
            ["Kyperian:Notify:Webhooks:1:Preset"] = "pineconnector",
            ["Kyperian:Notify:Webhooks:2:Url"] = "https://example.test/hook2",
            ["Kyperian:Notify:Webhooks:2:Secret"] = "whsec-0123456789abcdef",
            ["Kyperian:Notify:Webhooks:2:Template"] = "{\"a\":\"{{sizePc}}\"}",
            ["Kyperian:Notify:SnsTopicArn"] = "arn:aws:sqs:us-east-1:123456789012:not-a-topic",
        });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<NotifyOptions>>().Value);
        var message = string.Join("\n", error.Failures);
        Assert.Contains("Kyperian:Notify:Events names an unknown event 'decision.maybe'", message, StringComparison.Ordinal);
        Assert.Contains("Kyperian:Notify:Telegram needs both BotToken and ChatId", message, StringComparison.Ordinal);
        Assert.Contains("Kyperian:Notify:Webhooks:0:Url must be an http(s) URL", message, StringComparison.Ordinal);
        Assert.Contains("Kyperian:Notify:Webhooks:0:Secret is required", message, StringComparison.Ordinal);
        Assert.Contains("Kyperian:Notify:Webhooks:1:Values:licenseId is required by the pineconnector preset", message, StringComparison.Ordinal);
        Assert.Contains("Kyperian:Notify:Webhooks:2:Template uses an unknown placeholder {{sizePc}}", message, StringComparison.Ordinal);
        Assert.Contains("Kyperian:Notify:SnsTopicArn must be an SNS topic ARN", message, StringComparison.Ordinal);
        Assert.DoesNotContain("AAH-secret", message, StringComparison.Ordinal);
        Assert.DoesNotContain("super-secret-path", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nothing_configured_is_no_destination_and_no_delivery()
    {
        using var services = Services([]);
        var publisher = services.GetRequiredService<NotificationPublisher>();

        Assert.Empty(services.GetRequiredService<NotificationDestinations>().All);
        Assert.False(publisher.AnyTakes(NotificationEventType.DecisionExecute));
        Assert.Empty(publisher.DeliveriesFor(NotifyData.ExecuteEvent(), null));
    }

    [Fact]
    public void Deliveries_keep_the_alert_only_for_a_template_that_forwards_it()
    {
        using var services = Services(new()
        {
            ["Kyperian:Notify:Events"] = "*",
            ["Kyperian:Notify:Slack:WebhookUrl"] = "https://hooks.slack.com/services/T0/B0/abcdefabcdefabcdef",
            ["Kyperian:Notify:Slack:Events"] = "decision.execute",
            ["Kyperian:Notify:Webhooks:0:Url"] = "https://example.test/hook",
            ["Kyperian:Notify:Webhooks:0:Secret"] = "whsec-0123456789abcdef",
            ["Kyperian:Notify:Webhooks:0:Template"] = "{{raw}}",
        });
        var publisher = services.GetRequiredService<NotificationPublisher>();
        var signal = NotifyData.Signal();
        var execute = NotificationEvents.ForDecision(NotifyData.Execute(signal), signal);
        var veto = NotificationEvents.ForDecision(NotifyData.Veto(signal, VetoReason.HtfConflict), signal);

        var deliveries = publisher.DeliveriesFor(execute, "{\"passphrase\":\"x\"}");
        Assert.Equal(["slack", "webhook-0"], deliveries.Select(d => d.Destination).Order(StringComparer.Ordinal));
        Assert.Null(deliveries.Single(d => d.Destination == "slack").RawAlert);
        Assert.Equal("{\"passphrase\":\"x\"}", deliveries.Single(d => d.Destination == "webhook-0").RawAlert);
        Assert.All(deliveries, d => Assert.Equal($"{execute.Id}.{d.Destination}", d.DeliveryId));
        Assert.Equal(["webhook-0"], publisher.DeliveriesFor(veto, null).Select(d => d.Destination));
    }

    private static NotificationDestinations Destinations(Dictionary<string, string?> settings)
    {
        using var services = Services(settings);
        return services.GetRequiredService<NotificationDestinations>();
    }

    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<Kyperian.Domain.Ports.INotificationOutbox>(new InMemoryOutbox());
        services.AddKyperianNotifications(configuration, runsEngine: false);
        return services.BuildServiceProvider();
    }
}
