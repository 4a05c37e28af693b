using System.Threading.RateLimiting;
using Kyperian.Api.Adapters.Ssm;
using Kyperian.Api.Contracts;
using Kyperian.Api.Engine;
using Kyperian.Api.Health;
using Kyperian.Api.Observability;
using Kyperian.Api.OpenApi;
using Kyperian.Api.Operators;
using Kyperian.Api.Webhooks;
using Kyperian.Domain.Alerts;
using Kyperian.Domain.Decisions;
using Kyperian.Lambda;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Hosting;

/// <summary>The composition root: one app, three roles (all, api, engine), each backend embedded or AWS.</summary>
public static partial class KyperianApplication
{
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        configure?.Invoke(builder);

        // SSM Parameter Store (Kyperian:Ssm:Enabled) joins the configuration before anything reads it.
        builder.Configuration.AddSsmConfiguration();

        // On AWS Lambda (AWS_LAMBDA_RUNTIME_API set) the Runtime API loop replaces Kestrel; elsewhere nothing changes.
        builder.Services.AddLambdaHosting(builder.Configuration.GetValue("Kyperian:Lambda:EventSource", LambdaEventSource.RestApi));
        builder.Services.AddKyperian(builder.Configuration, builder.Environment);

        var app = builder.Build();
        app.MapKyperian();
        return app;
    }

    public static IServiceCollection AddKyperian(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.Configure<KyperianOptions>(configuration.GetSection(KyperianOptions.Section));
        services.AddOptions<WebhookOptions>().Bind(configuration.GetSection(WebhookOptions.Section))
            .Validate(o => environment.IsDevelopment() || !string.IsNullOrEmpty(o.Passphrase),
                "Kyperian:Webhook:Passphrase is required outside Development (SSM /kyperian/{env}/webhook/passphrase).")
            .Validate(o => o.DedupeSeconds > 0 && o.MaxBodyBytes > 0, "Kyperian:Webhook:DedupeSeconds and MaxBodyBytes must be positive.")
            .Validate(o => o.AllowedIps.All(ip => System.Net.IPAddress.TryParse(ip, out _)), "Kyperian:Webhook:AllowedIps must be IP addresses.")
            .ValidateOnStart();
        services.AddOptions<OperatorOptions>().Bind(configuration.GetSection(OperatorOptions.Section))
            .Validate(o => environment.IsDevelopment() || !string.IsNullOrEmpty(o.ApiKey),
                "Kyperian:Operator:ApiKey is required outside Development (SSM /kyperian/{env}/operator/api-key).")
            .ValidateOnStart();
        services.AddOptions<WorkerOptions>().Bind(configuration.GetSection(WorkerOptions.Section));

        var engineSettings = configuration.GetSection(EngineSettings.Section).Get<EngineSettings>() ?? new EngineSettings();
        services.AddSingleton(engineSettings);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<DecisionEngine>();
        services.AddSingleton<AlertValidator>();
        services.AddSingleton<AlertGate>();
        services.AddSingleton<SignalIntake>();
        services.AddSingleton<DecisionProcessor>();
        services.AddSingleton<KyperianMetrics>();
        services.AddKyperianEmf(configuration);
        services.AddSingleton<AllowedSendersFilter>();

        services.AddKyperianBackends(configuration);
        services.AddHealthChecks().AddCheck<AuthHealthCheck>("auth");

        var role = configuration.GetSection(KyperianOptions.Section).Get<KyperianOptions>() ?? new KyperianOptions();
        if (role.RunsEngine)
        {
            services.AddHostedService<EngineWorker>();
            services.AddHostedService<PendingSignalSweeper>();
        }

        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default));
        services.AddProblemDetails();
        services.AddExceptionHandler<BackendUnavailableHandler>();
        services.AddRateLimiter(ConfigureRateLimiting);
        services.AddKyperianSwagger();
        return services;
    }

    public static WebApplication MapKyperian(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<KyperianOptions>>().Value;
        WarnIfOpen(app);

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        if (app.Services.GetRequiredService<IOptions<WebhookOptions>>().Value.RateLimitPerSecond > 0)
        {
            app.UseRateLimiter();
        }

        app.MapHealthEndpoints();
        if (options.ServesEndpoints)
        {
            app.UseKyperianSwagger();
            app.MapWebhookEndpoints();
            app.MapOperatorEndpoints();
            app.MapGet("/", () => TypedResults.Redirect("/swagger")).ExcludeFromDescription();
        }

        return app;
    }

    private static void ConfigureRateLimiting(Microsoft.AspNetCore.RateLimiting.RateLimiterOptions limiter)
    {
        limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        limiter.AddPolicy(WebhookEndpoints.RateLimitPolicy, context =>
        {
            var webhook = context.RequestServices.GetRequiredService<IOptions<WebhookOptions>>().Value;
            var client = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
            if (webhook.RateLimitPerSecond <= 0)
            {
                return RateLimitPartition.GetNoLimiter(client);
            }

            return RateLimitPartition.GetTokenBucketLimiter(client, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = Math.Max(webhook.RateLimitBurst, webhook.RateLimitPerSecond),
                TokensPerPeriod = webhook.RateLimitPerSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            });
        });
        limiter.OnRejected = async (context, cancellationToken) =>
        {
            var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
            context.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.HttpContext.RequestServices.GetRequiredService<KyperianMetrics>().SignalRejected(StatusCodes.Status429TooManyRequests);
            await TypedResults.Problem(
                statusCode: StatusCodes.Status429TooManyRequests,
                title: "Too many requests",
                detail: $"This address sent more alerts than the rate limit allows; retry after {retryAfter} s.")
                .ExecuteAsync(context.HttpContext);
        };
    }

    private static void WarnIfOpen(WebApplication app)
    {
        var webhook = app.Services.GetRequiredService<IOptions<WebhookOptions>>().Value;
        var operators = app.Services.GetRequiredService<IOptions<OperatorOptions>>().Value;
        if (string.IsNullOrEmpty(webhook.Passphrase) || string.IsNullOrEmpty(operators.ApiKey))
        {
            LogOpen(app.Logger);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Development mode without a webhook passphrase or operator key: alerts and operator endpoints are open. Set Kyperian:Webhook:Passphrase and Kyperian:Operator:ApiKey before exposing this.")]
    private static partial void LogOpen(ILogger logger);
}
