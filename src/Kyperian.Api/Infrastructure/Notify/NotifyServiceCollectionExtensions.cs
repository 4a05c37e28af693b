using Kyperian.Api.Application.Notifications;
using Kyperian.Api.Infrastructure.Aws;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Infrastructure.Notify;

/// <summary>Notifications in one line of the composition root: settings, destinations and, in the engine, the delivery worker.</summary>
public static class NotifyServiceCollectionExtensions
{
    /// <summary>
    /// Binds and checks <c>Kyperian:Notify</c> (a wrong setting stops the app at start, naming its key, never its
    /// value), registers the publisher, a sender per destination kind and the health check, and the delivery worker, the
    /// silence watch and the risk event relay when <paramref name="runsEngine"/> and a destination is configured. The outbox (<see cref="Kyperian.Domain.Ports.INotificationOutbox"/>) comes with the store.
    /// </summary>
    public static IServiceCollection AddKyperianNotifications(this IServiceCollection services, IConfiguration configuration, bool runsEngine)
    {
        services.AddOptions<NotifyOptions>().BindConfiguration(NotifyOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<NotifyOptions>, NotifyOptionsValidator>();
        services.TryAddSingleton(sp => new NotificationDestinations(sp.GetRequiredService<IOptions<NotifyOptions>>().Value));
        services.TryAddSingleton(sp => new SecretRedactor(sp.GetRequiredService<IOptions<NotifyOptions>>().Value));
        services.TryAddSingleton<DeliveryWakeup>();
        services.TryAddSingleton<NotificationPublisher>();
        services.TryAddSingleton<AlertActivity>();
        services.TryAddSingleton<NotificationMetrics>();
        services.TryAddSingleton<DecisionNotifications>();
        services.AddHealthChecks().AddCheck<NotificationsHealthCheck>("notifications", HealthStatus.Degraded, ["notifications"]);

        services.TryAddSingleton(new AwsCredentialsSource());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<INotificationSender, TelegramSender>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<INotificationSender, DiscordSender>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<INotificationSender, SlackSender>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<INotificationSender, SignedWebhookSender>());

        // The SNS sender reads its topic when built: only built when a topic is set.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<INotificationSender, LazySnsSender>());

        // No destination, nothing to deliver: no worker holding the store open for nothing.
        var configured = configuration.GetSection(NotifyOptions.Section).Get<NotifyOptions>() is { } settings
            && new NotificationDestinations(settings).All.Count > 0;
        if (runsEngine && configured)
        {
            services.AddHostedService<DeliveryWorker>();
            services.AddHostedService<SilenceWatch>();
            services.AddHostedService<RiskEventRelay>();
        }

        return services;
    }

    /// <summary>Builds the SNS sender on first use, which only happens when an SNS destination is configured.</summary>
    private sealed class LazySnsSender(IOptions<NotifyOptions> options, AwsCredentialsSource credentials, TimeProvider time) : INotificationSender, IDisposable
    {
        private readonly Lazy<SnsSender> _sender = new(() => new SnsSender(options, credentials, time));

        public DestinationKind Kind => DestinationKind.Sns;

        public Task<SendResult> SendAsync(NotificationDestination destination, OutgoingNotification notification, CancellationToken cancellationToken) =>
            _sender.Value.SendAsync(destination, notification, cancellationToken);

        public void Dispose()
        {
            if (_sender.IsValueCreated)
            {
                _sender.Value.Dispose();
            }
        }
    }
}
