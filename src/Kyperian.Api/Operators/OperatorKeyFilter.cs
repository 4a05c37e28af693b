using Kyperian.Api.Hosting;
using Kyperian.Api.Webhooks;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Operators;

/// <summary>Operator endpoints need the operator key in <c>X-Api-Key</c> (unless none is configured in Development).</summary>
public sealed class OperatorKeyFilter(IOptions<OperatorOptions> options) : IEndpointFilter
{
    public const string HeaderName = "X-Api-Key";

    private readonly SharedSecret _key = new(options.Value.ApiKey);

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (_key.IsConfigured && !_key.Matches(context.HttpContext.Request.Headers[HeaderName]))
        {
            return ValueTask.FromResult<object?>(TypedResults.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Unauthorized",
                detail: $"Operator endpoints need a valid {HeaderName} header."));
        }

        return next(context);
    }
}
