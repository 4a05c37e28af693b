using System.Net;
using Kyperian.Api.Application.Intake;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Endpoints.Webhooks;

/// <summary>Lets only TradingView's webhook senders (or the configured addresses) call /webhook; added when enforced.</summary>
public sealed class AllowedSendersFilter : IEndpointFilter
{
    private readonly HashSet<IPAddress> _allowed;

    public AllowedSendersFilter(IOptions<WebhookOptions> options)
    {
        _allowed = [.. options.Value.EffectiveAllowedIps.Select(IPAddress.Parse)];
    }

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var remote = context.HttpContext.Connection.RemoteIpAddress;
        if (remote is not null && remote.IsIPv4MappedToIPv6)
        {
            remote = remote.MapToIPv4();
        }

        if (remote is null || !_allowed.Contains(remote))
        {
            return ValueTask.FromResult<object?>(TypedResults.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "Forbidden",
                detail: "This address may not send alerts."));
        }

        return next(context);
    }
}
