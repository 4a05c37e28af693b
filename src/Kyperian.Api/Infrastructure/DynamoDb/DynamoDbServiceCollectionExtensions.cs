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
    /// <summary>
    /// Every store port on DynamoDB (<c>Kyperian:DynamoDb</c>): signals, decisions (and the console's history across
    /// symbols), the risk ledger and run-time settings, positions and trades, the audit log, risk events, activity
    /// counters, the notification outbox and the history read back for replays; and the store's health check.
    /// </summary>
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
        services.AddSingleton<DynamoDbSymbolRegistry>();
        services.AddSingleton<DynamoDbSignalStore>();
        services.AddSingleton<DynamoDbDecisionStore>();
        services.AddSingleton<DynamoDbRiskLedger>();
        services.AddSingleton<DynamoDbActivityStats>();
        services.AddSingleton<DynamoDbNotificationOutbox>();
        services.AddSingleton<IPositionBook, DynamoDbPositionBook>();
        services.AddSingleton<IEngineSettingsStore, DynamoDbEngineSettingsStore>();
        services.AddSingleton<IAuditLog, DynamoDbAuditLog>();
        services.AddSingleton<IRiskEventLog, DynamoDbRiskEventLog>();
        services.AddSingleton<IStoredHistory, DynamoDbHistory>();
        services.Replace(ServiceDescriptor.Singleton<ISignalStore>(sp => sp.GetRequiredService<DynamoDbSignalStore>()));
        services.Replace(ServiceDescriptor.Singleton<IDecisionStore>(sp => sp.GetRequiredService<DynamoDbDecisionStore>()));
        services.Replace(ServiceDescriptor.Singleton<IRiskLedger>(sp => sp.GetRequiredService<DynamoDbRiskLedger>()));
        services.Replace(ServiceDescriptor.Singleton<IDecisionHistory>(sp => sp.GetRequiredService<DynamoDbDecisionStore>()));
        services.Replace(ServiceDescriptor.Singleton<IActivityStats>(sp => sp.GetRequiredService<DynamoDbActivityStats>()));
        services.Replace(ServiceDescriptor.Singleton<INotificationOutbox>(sp => sp.GetRequiredService<DynamoDbNotificationOutbox>()));
        services.AddHostedService<DynamoDbTableInitializer>();
        services.AddHealthChecks().AddCheck<DynamoDbHealthCheck>("store", HealthStatus.Unhealthy, ["store"]);
        return services;
    }
}
