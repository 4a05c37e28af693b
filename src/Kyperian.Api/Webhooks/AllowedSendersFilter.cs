using System.Net;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Webhooks;

/// <summary>When enabled, lets only TradingView's webhook senders (or the configured addresses) call /webhook.</summary>
public sealed class AllowedSendersFilter : IEndpointFilter
{
    private readonly bool _enforce;
    private readonly HashSet<IPAddress> _allowed;

    public AllowedSendersFilter(IOptions<WebhookOptions> options)
    {
        _enforce = options.Value.EnforceAllowedIps;
        _allowed = [.. options.Value.AllowedIps.Select(IPAddress.Parse)];
    }

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (!_enforce)
        {
            return next(context);
        }

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
