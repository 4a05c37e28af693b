using Kyperian.Api.Application;
using Kyperian.Api.Infrastructure.DynamoDb;
using Kyperian.Api.Infrastructure.Embedded;
using Kyperian.Api.Infrastructure.EventBridge;
using Kyperian.Api.Infrastructure.Redis;
using Kyperian.Api.Infrastructure.Sqs;
using Kyperian.Domain.Ports;

namespace Kyperian.Api.Hosting;

/// <summary>Chooses, per port, the embedded backend or the AWS one (<c>Kyperian:Store</c>, <c>:Bus</c>, <c>:State</c>).</summary>
public static class BackendRegistration
{
    public static IServiceCollection AddKyperianBackends(this IServiceCollection services, IConfiguration configuration)
    {
        var options = KyperianOptions.From(configuration);
        var health = services.AddHealthChecks();

        switch (options.Store)
        {
            case StoreBackend.Embedded:
                services.AddEmbeddedBackends(EmbeddedPorts.Stores);
                break;
            case StoreBackend.DynamoDb:
                services.AddDynamoDbStores(configuration);
                break;
            default:
                throw new NotSupportedException($"Kyperian:Store={options.Store} is not available in this build.");
        }

        switch (options.Bus)
        {
            case BusBackend.Embedded:
                services.AddOptions<InProcessBusOptions>().BindConfiguration(InProcessBusOptions.Section)
                    .Validate(o => o.ChannelCapacity > 0 && o.PublishTimeoutMs >= 0 && o.MaxDeliveryAttempts > 0,
                        "Kyperian:Embedded:Bus:ChannelCapacity and MaxDeliveryAttempts must be positive.")
                    .ValidateOnStart();
                services.AddSingleton<InProcessBus>();
                services.AddSingleton<IEventBus>(sp => sp.GetRequiredService<InProcessBus>());
                services.AddSingleton<ISignalFeed>(sp => sp.GetRequiredService<InProcessBus>());
                health.AddCheck<InProcessBusHealthCheck>("bus");
                if (options.Store == StoreBackend.Embedded)
                {
                    // The channel died with the previous process: what it held is republished from the outbox.
                    services.AddHostedService<InProcessBusRecovery>();
                }

                break;
            case BusBackend.EventBridge:
                services.AddEventBridgeBus(configuration);
                if (options.RunsEngine)
                {
                    // EventBridge → rule → SQS → this engine.
                    services.AddSqsSignalFeed(configuration);
                }

                break;
            default:
                throw new NotSupportedException($"Kyperian:Bus={options.Bus} is not available in this build.");
        }

        switch (options.State)
        {
            case StateBackend.Embedded:
                services.AddEmbeddedBackends(EmbeddedPorts.State);
                break;
            case StateBackend.Redis:
                services.AddRedisState(configuration);
                break;
            default:
                throw new NotSupportedException($"Kyperian:State={options.State} is not available in this build.");
        }

        return services;
    }
}
