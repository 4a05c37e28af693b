using Amazon.DynamoDBv2;
using Amazon.SQS;
using Kyperian.Api.Adapters.DynamoDb;
using Kyperian.Api.Adapters.EventBridge;
using Kyperian.Api.Adapters.Redis;
using Kyperian.Api.Adapters.Resilience;
using Kyperian.Api.Adapters.Sqs;
using Kyperian.Api.Engine;
using Kyperian.Domain.Ports;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Adapters;

/// <summary>One line per production backend in the composition root.</summary>
public static class AdapterServiceCollectionExtensions
{
    /// <summary>Polly pipelines (<c>Kyperian:Resilience</c>) and AWS credentials: shared by every adapter.</summary>
    public static IServiceCollection AddAdapterResilience(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ResilienceOptions>().Bind(configuration.GetSection(ResilienceOptions.Section));
        services.TryAddSingleton<ResiliencePipelines>();
        services.TryAddSingleton(new AwsCredentialsSource());
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }

    /// <summary>ISignalStore, IDecisionStore and IRiskLedger on DynamoDB (<c>Kyperian:DynamoDb</c>), and its health check.</summary>
    public static IServiceCollection AddDynamoDbStores(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddAdapterResilience(configuration);
        services.AddOptions<DynamoDbOptions>().Bind(configuration.GetSection(DynamoDbOptions.Section));
        services.TryAddSingleton<IAmazonDynamoDB>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DynamoDbOptions>>().Value;
            var config = AwsCredentialsSource.Configure(new AmazonDynamoDBConfig(), options.ServiceUrl, options.Region);
            return sp.GetRequiredService<AwsCredentialsSource>().Explicit is { } credentials
                ? new AmazonDynamoDBClient(credentials, config)
                : new AmazonDynamoDBClient(config);
        });
        services.AddSingleton<DynamoDbSignalStore>();
        services.AddSingleton<DynamoDbDecisionStore>();
        services.AddSingleton<DynamoDbRiskLedger>();
        services.Replace(ServiceDescriptor.Singleton<ISignalStore>(sp => sp.GetRequiredService<DynamoDbSignalStore>()));
        services.Replace(ServiceDescriptor.Singleton<IDecisionStore>(sp => sp.GetRequiredService<DynamoDbDecisionStore>()));
        services.Replace(ServiceDescriptor.Singleton<IRiskLedger>(sp => sp.GetRequiredService<DynamoDbRiskLedger>()));
        services.AddHostedService<DynamoDbTableInitializer>();
        services.AddHealthChecks().AddCheck<DynamoDbHealthCheck>("store", HealthStatus.Unhealthy, ["store"]);
        return services;
    }

    /// <summary>IDedupeStore and IMarketState on Redis (<c>Kyperian:Redis</c>), one shared multiplexer, and its health check.</summary>
    public static IServiceCollection AddRedisState(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddAdapterResilience(configuration);
        services.AddOptions<RedisOptions>().Bind(configuration.GetSection(RedisOptions.Section));
        services.TryAddSingleton<RedisConnection>();
        services.AddSingleton<RedisDedupeStore>();
        services.AddSingleton<RedisMarketState>();
        services.Replace(ServiceDescriptor.Singleton<IDedupeStore>(sp => sp.GetRequiredService<RedisDedupeStore>()));
        services.Replace(ServiceDescriptor.Singleton<IMarketState>(sp => sp.GetRequiredService<RedisMarketState>()));

        // Without Redis the webhook still takes signals (dedupe falls back to the store): Degraded, not Unhealthy.
        services.AddHealthChecks().AddCheck<RedisHealthCheck>("state", HealthStatus.Degraded, ["state"]);
        return services;
    }

    /// <summary>IEventBus on EventBridge (<c>Kyperian:EventBridge</c>) through <see cref="IPutEventsClient"/>, and its health check.</summary>
    public static IServiceCollection AddEventBridgeBus(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddAdapterResilience(configuration);
        services.AddOptions<EventBridgeOptions>().Bind(configuration.GetSection(EventBridgeOptions.Section));

        // The seam: AWSSDK.EventBridge, where it can be restored, replaces this one line.
        services.TryAddSingleton<IPutEventsClient, SignedEventBridgeClient>();
        services.AddSingleton<EventBridgeEventBus>();
        services.Replace(ServiceDescriptor.Singleton<IEventBus>(sp => sp.GetRequiredService<EventBridgeEventBus>()));
        services.AddHealthChecks().AddCheck<EventBridgeHealthCheck>("bus", HealthStatus.Unhealthy, ["bus"]);
        return services;
    }

    /// <summary>The engine's feed (ISignalFeed) from SQS (<c>Kyperian:Sqs</c>), and its health check.</summary>
    public static IServiceCollection AddSqsSignalFeed(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddAdapterResilience(configuration);
        services.AddOptions<SqsOptions>().Bind(configuration.GetSection(SqsOptions.Section));
        services.TryAddSingleton<IAmazonSQS>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<SqsOptions>>().Value;
            var config = AwsCredentialsSource.Configure(new AmazonSQSConfig(), options.ServiceUrl, options.Region);
            return sp.GetRequiredService<AwsCredentialsSource>().Explicit is { } credentials
                ? new AmazonSQSClient(credentials, config)
                : new AmazonSQSClient(config);
        });
        services.TryAddSingleton<SqsSignalFeed>();
        services.Replace(ServiceDescriptor.Singleton<ISignalFeed>(sp => sp.GetRequiredService<SqsSignalFeed>()));
        services.AddHealthChecks().AddCheck<SqsHealthCheck>("queue", HealthStatus.Unhealthy, ["bus"]);
        return services;
    }
}
