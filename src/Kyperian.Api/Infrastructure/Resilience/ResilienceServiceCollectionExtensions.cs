using Kyperian.Api.Infrastructure.Aws;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Kyperian.Api.Infrastructure.Resilience;

/// <summary>Shared by every AWS and Redis adapter: Polly pipelines and AWS credentials.</summary>
public static class ResilienceServiceCollectionExtensions
{
    /// <summary>Polly pipelines (<c>Kyperian:Resilience</c>) and AWS credentials: shared by every adapter.</summary>
    public static IServiceCollection AddAdapterResilience(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ResilienceOptions>().BindConfiguration(ResilienceOptions.Section).ValidateOnStart();
        services.TryAddSingleton<ResiliencePipelines>();
        services.TryAddSingleton(new AwsCredentialsSource());
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}
