using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;

namespace Kyperian.Api.Infrastructure.Aws;

/// <summary>
/// Where AWS credentials come from: explicit ones (tests, local servers) or the SDK's default chain
/// (environment, profile, ECS task role, Lambda execution role), resolved once and refreshed by the SDK.
/// </summary>
public sealed class AwsCredentialsSource
{
    private readonly AWSCredentials? _explicit;
    private readonly Lazy<AWSCredentials> _resolved;

    public AwsCredentialsSource(AWSCredentials? credentials = null)
    {
        _explicit = credentials;
        _resolved = new Lazy<AWSCredentials>(
            () => credentials ?? new DefaultAWSCredentialsIdentityResolver().ResolveIdentity(null),
            LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Null when the SDK client should resolve its own from the default chain.</summary>
    public AWSCredentials? Explicit => _explicit;

    /// <summary>For our own signed clients: the explicit credentials, else the default chain's.</summary>
    public AWSCredentials Resolve() => _resolved.Value;

    /// <summary>Endpoint, region and retry settings shared by every SDK client we build.</summary>
    public static TConfig Configure<TConfig>(TConfig config, string? serviceUrl, string? region)
        where TConfig : ClientConfig
    {
        if (!string.IsNullOrWhiteSpace(serviceUrl))
        {
            config.ServiceURL = serviceUrl;
            config.AuthenticationRegion = string.IsNullOrWhiteSpace(region) ? "us-east-1" : region;
        }
        else if (!string.IsNullOrWhiteSpace(region))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }

        // Retries are ours (Polly, options-bound); the SDK's own would multiply them.
        config.MaxErrorRetry = 0;
        return config;
    }

    /// <summary>The region for our own signed clients: configured, else AWS_REGION / AWS_DEFAULT_REGION.</summary>
    public static string ResolveRegion(string? configured) =>
        !string.IsNullOrWhiteSpace(configured) ? configured
        : Environment.GetEnvironmentVariable("AWS_REGION") is { Length: > 0 } region ? region
        : Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION") is { Length: > 0 } fallback ? fallback
        : throw new InvalidOperationException("No AWS region: set Kyperian:*:Region or AWS_REGION.");
}
