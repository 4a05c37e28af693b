using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Kyperian.Api.Application;
using Kyperian.Api.Application.Intake;
using Kyperian.Api.Application.Monitoring;
using Kyperian.Api.Application.Observability;
using Kyperian.Api.Application.Processing;
using Kyperian.Api.Application.Replay;
using Kyperian.Api.Application.Risk;
using Kyperian.Api.Application.Security;
using Kyperian.Api.Endpoints.ConsolePage;
using Kyperian.Api.Application.Settings;
using Kyperian.Api.Endpoints.Contracts;
using Kyperian.Api.Endpoints.Health;
using Kyperian.Api.Endpoints.Http;
using Kyperian.Api.Endpoints.Monitoring;
using Kyperian.Api.Endpoints.OpenApi;
using Kyperian.Api.Endpoints.Audit;
using Kyperian.Api.Endpoints.Operators;
using Kyperian.Api.Endpoints.Positions;
using Kyperian.Api.Endpoints.Replay;
using Kyperian.Api.Endpoints.Settings;
using Kyperian.Api.Endpoints.Webhooks;
using Kyperian.Api.Infrastructure.Emf;
using Kyperian.Api.Infrastructure.Notify;
using Kyperian.Api.Infrastructure.Ssm;
using Kyperian.Domain.Alerts;
using Kyperian.Domain.Decisions;
using Kyperian.Lambda;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.RateLimiting;
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
        services.AddKyperianOptions(environment);
        services.AddSingleton(TimeProvider.System);

        services.AddSingleton<AlertValidator>();
        services.AddSingleton<AlertPipeline>();
        services.AddSingleton<SignalIntake>();
        services.AddSingleton<DecisionProcessor>();
        services.AddSingleton<BarCloseBuffer>();
        services.AddSingleton<EngineSettingsSource>();
        services.AddSingleton<RiskDesk>();
        services.AddSingleton<ReplayRunner>();
        services.AddSingleton<ReplayAlerts>();
        services.AddSingleton<KyperianMetrics>();
        services.AddSingleton<ActivityRecorder>();
        services.AddHostedService<ActivityFlusher>();
        services.AddSingleton<ActivityReport>();
        services.AddSingleton<SymbolOverview>();
        services.AddSingleton<LiveEvents>();
        services.AddKyperianEmf(configuration);
        services.AddSingleton<AllowedSendersFilter>();

        services.AddKyperianBackends(configuration);
        services.AddKyperianNotifications(configuration, KyperianOptions.From(configuration).RunsEngine);
        services.AddHealthChecks().AddCheck<AuthHealthCheck>("auth");

        if (KyperianOptions.From(configuration).RunsEngine)
        {
            services.AddHostedService<EngineWorker>();
            services.AddHostedService<PendingSignalSweeper>();
        }

        // Absent values are left out of every answer, as ApiJsonContext declares: the decisions GET /decisions sends as
        // stored, and the live events, are written that way too.
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.DefaultIgnoreCondition = ApiJsonContext.Default.Options.DefaultIgnoreCondition;
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default);
        });
        services.AddProblemDetails();
        services.AddExceptionHandler<ClientErrorHandler>();
        services.AddExceptionHandler<BackendUnavailableHandler>();
        services.AddRateLimiter(ConfigureRateLimiting);
        services.AddSingleton<FailedKeyLimiter>();
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, OperatorKeyHandler>(OperatorKey.Scheme, null);
        services.AddAuthorizationBuilder().AddPolicy(OperatorKey.Policy, policy => policy
            .AddAuthenticationSchemes(OperatorKey.Scheme)
            .RequireAuthenticatedUser());
        services.AddKyperianSwagger();
        return services;
    }

    /// <summary>Every settings class, bound and checked at start: a wrong setting stops the app and names itself.</summary>
    private static void AddKyperianOptions(this IServiceCollection services, IHostEnvironment environment)
    {
        var development = environment.IsDevelopment();
        services.AddOptions<KyperianOptions>().BindConfiguration(KyperianOptions.Section)
            .Validate(o => !string.IsNullOrWhiteSpace(o.Environment), "Kyperian:Environment must not be blank.")
            .ValidateOnStart();
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section)
            .Validate(o => development || !string.IsNullOrEmpty(o.Passphrase), SecretRules.Required("Kyperian:Webhook:Passphrase"))
            .Validate(o => development || SecretRules.IsStrong(o.Passphrase), SecretRules.TooWeak("Kyperian:Webhook:Passphrase"))
            .Validate(o => o.DedupeSeconds > 0 && o.MaxBodyBytes > 0, "Kyperian:Webhook:DedupeSeconds and MaxBodyBytes must be positive.")
            .Validate(o => o.AllowedIps.All(ip => IPAddress.TryParse(ip, out _)), "Kyperian:Webhook:AllowedIps must be IP addresses.")
            .Validate(o => o.PassphraseFields.All(f => !string.IsNullOrWhiteSpace(f)), "Kyperian:Webhook:PassphraseFields must not hold blank names.")
            .ValidateOnStart();
        services.AddOptions<OperatorOptions>().BindConfiguration(OperatorOptions.Section)
            .Validate(o => development || !string.IsNullOrEmpty(o.ApiKey), SecretRules.Required("Kyperian:Operator:ApiKey"))
            .Validate(o => development || SecretRules.IsStrong(o.ApiKey), SecretRules.TooWeak("Kyperian:Operator:ApiKey"))
            .Validate(o => o.MaxFailedKeysPerMinute > 0, "Kyperian:Operator:MaxFailedKeysPerMinute must be positive.")
            .ValidateOnStart();
        services.AddOptions<WorkerOptions>().BindConfiguration(WorkerOptions.Section)
            .Validate(o => o.Concurrency > 0 && o.RepublishAfterSeconds >= 0 && o.SweepIntervalSeconds > 0 && o.DeadLetterAfterAttempts > 0,
                "Kyperian:Worker:Concurrency, SweepIntervalSeconds and DeadLetterAfterAttempts must be positive, RepublishAfterSeconds not negative.")
            .ValidateOnStart();
        services.AddOptions<SwaggerOptions>().BindConfiguration(SwaggerOptions.Section);
        services.AddOptions<ActivityOptions>().BindConfiguration(ActivityOptions.Section)
            .Validate(o => o.FlushSeconds > 0, "Kyperian:Stats:FlushSeconds must be positive.")
            .ValidateOnStart();

        // API Gateway buffers a whole response: under Lambda the event stream answers in snapshots the page polls.
        var lambda = services.IsLambda();
        services.AddOptions<ConsoleOptions>().BindConfiguration(ConsoleOptions.Section)
            .PostConfigure(o => o.EventsMode ??= lambda ? EventsMode.Snapshot : EventsMode.Stream)
            .Validate(o => o.PollMilliseconds >= 50 && o.HealthCheckSeconds > 0 && o.SnapshotRetryMilliseconds >= 500,
                "Kyperian:Console:PollMilliseconds must be at least 50, HealthCheckSeconds positive, SnapshotRetryMilliseconds at least 500.")
            .ValidateOnStart();

        // Read through IOptionsMonitor (EngineSettingsSource): a changed setting applies to the next decision without a
        // restart, and PUT /settings/engine changes lie on top of these.
        services.AddSingleton<IValidateOptions<EngineSettings>, EngineSettingsValidation>();
        services.AddOptions<EngineSettings>().BindConfiguration(EngineSettings.Section).ValidateOnStart();
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

        app.UseAuthorization();
        app.MapHealthEndpoints();
        if (options.ServesEndpoints)
        {
            if (app.Services.GetRequiredService<IOptions<SwaggerOptions>>().Value.Enabled)
            {
                app.UseKyperianSwagger();

                // Relative, so that behind an API Gateway stage (/Prod/) the browser stays under the stage.
                app.MapGet("/", () => TypedResults.Redirect("swagger")).ExcludeFromDescription();
            }

            app.MapWebhookEndpoints();
            app.MapOperatorEndpoints();
            app.MapPositionEndpoints();
            app.MapSettingsEndpoints();
            app.MapAuditEndpoints();
            app.MapMonitoringEndpoints();
            if (app.Services.GetRequiredService<IOptions<ConsoleOptions>>().Value.Enabled)
            {
                app.MapConsolePage();
            }
            app.MapNotificationEndpoints();
            app.MapReplayEndpoints();
        }

        return app;
    }

    private static void ConfigureRateLimiting(RateLimiterOptions limiter)
    {
        limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        limiter.AddPolicy(WebhookEndpoints.RateLimitPolicy, context =>
        {
            var webhook = context.RequestServices.GetRequiredService<IOptions<WebhookOptions>>().Value;
            var client = context.Connection.RemoteIpAddress;
            var partition = client?.ToString() ?? "unknown";

            // Every TradingView user's alerts come from the same four addresses: a per-address cap on them would cap a
            // busy trader's legitimate bar-close burst (and everyone else's). Only other senders are limited.
            if (webhook.RateLimitPerSecond <= 0 || WebhookOptions.IsTradingViewSender(client))
            {
                return RateLimitPartition.GetNoLimiter(partition);
            }

            return RateLimitPartition.GetTokenBucketLimiter(partition, _ => new TokenBucketRateLimiterOptions
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
            context.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
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
