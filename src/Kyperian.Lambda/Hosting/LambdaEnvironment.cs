using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Kyperian.Lambda.Hosting;

/// <summary>Detects Lambda: the <c>AWS_LAMBDA_RUNTIME_API</c> setting (host:port of the Runtime API).</summary>
internal static class LambdaEnvironment
{
    public const string RuntimeApiKey = "AWS_LAMBDA_RUNTIME_API";
    public const string TraceIdVariable = "_X_AMZN_TRACE_ID";

    /// <summary>
    /// Reads the setting from the configuration already registered in <paramref name="services"/> (environment
    /// variables land there, and tests can set it per app), falling back to the process environment.
    /// </summary>
    public static string? FindRuntimeApi(IServiceCollection services)
    {
        var value = FindConfiguration(services)?[RuntimeApiKey];
        if (string.IsNullOrWhiteSpace(value))
        {
            value = Environment.GetEnvironmentVariable(RuntimeApiKey);
        }

        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    private static IConfiguration? FindConfiguration(IServiceCollection services)
    {
        for (var i = services.Count - 1; i >= 0; i--)
        {
            var descriptor = services[i];
            if (descriptor.ServiceType != typeof(IConfiguration) || descriptor.IsKeyedService)
            {
                continue;
            }

            if (descriptor.ImplementationInstance is IConfiguration instance)
            {
                return instance;
            }

            // WebApplicationBuilder / HostApplicationBuilder register "_ => Configuration": a factory that needs no services.
            if (descriptor.ImplementationFactory is { } factory)
            {
                try
                {
                    if (factory(NoServices.Instance) is IConfiguration fromFactory)
                    {
                        return fromFactory;
                    }
                }
                catch (Exception ex) when (ex is InvalidOperationException or NullReferenceException or NotSupportedException)
                {
                    // A factory that wants services: fall back to the environment.
                }
            }
        }

        return null;
    }

    private sealed class NoServices : IServiceProvider
    {
        public static readonly NoServices Instance = new();

        public object? GetService(Type serviceType) => null;
    }
}
