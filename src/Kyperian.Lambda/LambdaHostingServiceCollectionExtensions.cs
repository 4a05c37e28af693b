using Kyperian.Lambda.ApiGateway;
using Kyperian.Lambda.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Kyperian.Lambda;

/// <summary>Runs the ASP.NET Core application on AWS Lambda behind API Gateway.</summary>
public static class LambdaHostingServiceCollectionExtensions
{
    /// <summary>
    /// True when this process runs under Lambda, by the one test <see cref="AddLambdaHosting"/> uses (the
    /// <c>AWS_LAMBDA_RUNTIME_API</c> setting): for services that behave differently there.
    /// </summary>
    public static bool IsLambda(this IServiceCollection services) => LambdaEnvironment.FindRuntimeApi(services) is not null;

    /// <summary>
    /// Under Lambda (the <c>AWS_LAMBDA_RUNTIME_API</c> setting is in the configuration or the environment), replaces
    /// Kestrel's <see cref="IServer"/> by a server that runs the Lambda Runtime API loop and translates
    /// <paramref name="eventSource"/> events to requests; elsewhere changes nothing.
    /// Mirrors <c>AddAWSLambdaHosting(LambdaEventSource)</c> of Amazon.Lambda.AspNetCoreServer.Hosting: swapping this
    /// call for that one is the whole switch to the official package.
    /// </summary>
    /// <remarks>Call it after the configuration sources are in place (WebApplicationBuilder: anywhere in Program).</remarks>
    public static IServiceCollection AddLambdaHosting(
        this IServiceCollection services,
        LambdaEventSource eventSource,
        Action<LambdaHostingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (!Enum.IsDefined(eventSource))
        {
            throw new ArgumentOutOfRangeException(nameof(eventSource), eventSource, "Unknown Lambda event source.");
        }

        var runtimeApi = LambdaEnvironment.FindRuntimeApi(services);
        if (runtimeApi is null)
        {
            return services;
        }

        services.AddOptions<LambdaHostingOptions>().Configure(options =>
        {
            options.EventSource = eventSource;
            configure?.Invoke(options);
        });

        // The layers below see the settings the runtime needs, never the public options they come from.
        services.RemoveAll<LambdaRuntimeSettings>();
        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<LambdaHostingOptions>>().Value;
            var exit = options.Exit;
            return new LambdaRuntimeSettings(
                runtimeApi,
                MarshallerFor(options.EventSource),
                options.DeadlineMargin,
                (exitCode, reason, error) => exit(new LambdaRuntimeExit(exitCode, reason, error, provider)));
        });
        services.TryAddSingleton<LambdaRuntime>();

        services.RemoveAll<IServer>();
        services.AddSingleton<IServer, LambdaRuntimeServer>();

        // Start-up failures go to /runtime/init/error: pipeline configuration (outermost startup filter)...
        if (!services.Any(d => d.ServiceType == typeof(IStartupFilter) && d.ImplementationType == typeof(InitErrorStartupFilter)))
        {
            services.Insert(0, ServiceDescriptor.Transient<IStartupFilter, InitErrorStartupFilter>());
        }

        // ...pipeline build (middleware constructors)...
        services.RemoveAll<IApplicationBuilderFactory>();
        services.AddSingleton<IApplicationBuilderFactory, InitErrorApplicationBuilderFactory>();

        // ...and anything else that kills the process before the first invocation.
        UnhandledStartupErrorReporter.Register(runtimeApi);
        return services;
    }

    private static IApiGatewayMarshaller MarshallerFor(LambdaEventSource eventSource) => eventSource switch
    {
        LambdaEventSource.RestApi => ApiGatewayV1Marshaller.Instance,
        LambdaEventSource.HttpApi => ApiGatewayV2Marshaller.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(eventSource), eventSource, "Unknown Lambda event source."),
    };
}
