using Amazon.SQS;
using Kyperian.Api.Infrastructure.Aws;
using Kyperian.Api.Infrastructure.Resilience;
using Kyperian.Domain.Ports;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Infrastructure.Sqs;

/// <summary>The engine's feed from SQS, in one line of the composition root.</summary>
public static class SqsServiceCollectionExtensions
{
    /// <summary>The engine's feed (ISignalFeed) from SQS (<c>Kyperian:Sqs</c>), and its health check.</summary>
    public static IServiceCollection AddSqsSignalFeed(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddAdapterResilience(configuration);
        services.AddOptions<SqsOptions>().BindConfiguration(SqsOptions.Section).ValidateOnStart();
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
