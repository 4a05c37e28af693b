using System.Text.Json.Nodes;
using Kyperian.Api.Endpoints.Http;
using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Kyperian.Api.Endpoints.OpenApi;

public static class SwaggerSetup
{
    public const string ApiKeyScheme = OperatorKey.Scheme;

    /// <summary>A real TradingView alert message, as a strategy's webhook sends it.</summary>
    public const string ExampleAlert = """
        {
          "symbol": "BINANCE:BTCUSDT",
          "action": "buy",
          "timeframe": "15",
          "price": 64250.5,
          "confidence": 80,
          "passphrase": "your-passphrase",
          "time": "2026-01-15T14:30:00Z",
          "id": "btc-15m-long-1",
          "comment": "EMA cross"
        }
        """;

    public static IServiceCollection AddKyperianSwagger(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "Kyperian",
                Version = "v1",
                Description = "TradingView signal gateway: validated alerts, multi-timeframe confluence decisions. "
                    + "Operator endpoints need the operator key (Authorize, X-Api-Key).",
            });
            options.AddSecurityDefinition(ApiKeyScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = OperatorKey.HeaderName,
                Description = "The operator key (Kyperian:Operator:ApiKey).",
            });
            options.OperationFilter<KyperianOperationFilter>();
        });
        return services;
    }

    public static WebApplication UseKyperianSwagger(this WebApplication app)
    {
        // The document is an endpoint, not a middleware every request passes through.
        app.MapSwagger();
        app.UseSwaggerUI(options =>
        {
            // Relative, so that the UI finds its document under an API Gateway stage prefix too.
            options.SwaggerEndpoint("v1/swagger.json", "Kyperian v1");
            options.DocumentTitle = "Kyperian";
        });
        return app;
    }

    /// <summary>Puts the example alert on the alert endpoints and the key requirement on the operator ones.</summary>
    private sealed class KyperianOperationFilter : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            if (operation.RequestBody?.Content is { } content && (context.ApiDescription.RelativePath is "webhook" or "validate"))
            {
                foreach (var media in content.Values.OfType<OpenApiMediaType>())
                {
                    media.Example = JsonNode.Parse(ExampleAlert);
                }
            }

            if (context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<IAuthorizeData>().Any())
            {
                operation.Security ??= [];
                operation.Security.Add(new OpenApiSecurityRequirement
                {
                    [new OpenApiSecuritySchemeReference(ApiKeyScheme, context.Document)] = [],
                });
            }
        }
    }
}
