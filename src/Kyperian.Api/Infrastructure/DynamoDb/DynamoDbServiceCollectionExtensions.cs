using Amazon.DynamoDBv2;
using Kyperian.Api.Infrastructure.Aws;
using Kyperian.Api.Infrastructure.Resilience;
using Kyperian.Domain.Ports;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Infrastructure.DynamoDb;

/// <summary>The stores on DynamoDB, in one line of the composition root.</summary>
public static class DynamoDbServiceCollectionExtensions
{
    /// <summary>ISignalStore, IDecisionStore, IRiskLedger and INotificationOutbox on DynamoDB (<c>Kyperian:DynamoDb</c>), and its health check.</summary>
    public static IServiceCollection AddDynamoDbStores(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddAdapterResilience(configuration);
        services.AddOptions<DynamoDbOptions>().BindConfiguration(DynamoDbOptions.Section).ValidateOnStart();
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
        services.AddSingleton<DynamoDbNotificationOutbox>();
        services.Replace(ServiceDescriptor.Singleton<ISignalStore>(sp => sp.GetRequiredService<DynamoDbSignalStore>()));
        services.Replace(ServiceDescriptor.Singleton<IDecisionStore>(sp => sp.GetRequiredService<DynamoDbDecisionStore>()));
        services.Replace(ServiceDescriptor.Singleton<IRiskLedger>(sp => sp.GetRequiredService<DynamoDbRiskLedger>()));
        services.Replace(ServiceDescriptor.Singleton<INotificationOutbox>(sp => sp.GetRequiredService<DynamoDbNotificationOutbox>()));
        services.AddHostedService<DynamoDbTableInitializer>();
        services.AddHealthChecks().AddCheck<DynamoDbHealthCheck>("store", HealthStatus.Unhealthy, ["store"]);
        return services;
    }
}
