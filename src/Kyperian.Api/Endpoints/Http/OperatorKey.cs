using System.Globalization;
using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Threading.RateLimiting;
using Kyperian.Api.Application.Security;
using Kyperian.Domain.Alerts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Endpoints.Http;

/// <summary>
/// Operator endpoints need the operator key in <c>X-Api-Key</c>. It is checked as authentication, before the
/// endpoint binds its body: a caller without the key learns nothing from how a bad body is answered.
/// </summary>
public static class OperatorKey
{
    public const string Scheme = "OperatorKey";
    public const string HeaderName = "X-Api-Key";
    public const string Policy = "Operator";

    /// <summary>The endpoints of <paramref name="builder"/> answer only callers with the operator key.</summary>
    public static TBuilder RequireOperatorKey<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.RequireAuthorization(Policy);

    /// <summary>True when the request carries the operator key (or none is configured, in Development).</summary>
    public static async Task<bool> IsOperatorAsync(HttpContext context) =>
        (await context.AuthenticateAsync(Scheme)).Succeeded;
}

/// <summary>
/// Counts wrong operator keys per client address; an address past its budget is refused (429) until its window
/// ends, so the key cannot be guessed at the speed of the network.
/// </summary>
public sealed class FailedKeyLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<IPAddress> _limiter;

    public FailedKeyLimiter(IOptions<OperatorOptions> options)
    {
        var budget = Math.Max(1, options.Value.MaxFailedKeysPerMinute);
        _limiter = PartitionedRateLimiter.Create<IPAddress, IPAddress>(address => RateLimitPartition.GetFixedWindowLimiter(
            address,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = budget, Window = Window, QueueLimit = 0, AutoReplenishment = true }));
    }

    public static TimeSpan Window { get; } = TimeSpan.FromMinutes(1);

    public bool IsBlocked(IPAddress address) => _limiter.GetStatistics(address)?.CurrentAvailablePermits == 0;

    public void RecordFailure(IPAddress address) => _limiter.AttemptAcquire(address).Dispose();

    public void Dispose() => _limiter.Dispose();
}

public sealed partial class OperatorKeyHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    IOptions<OperatorOptions> operators,
    FailedKeyLimiter failures)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    private const string BlockedItem = "Kyperian.OperatorKey.Blocked";
    private static readonly ClaimsPrincipal Operator = new(new ClaimsIdentity([new Claim(ClaimTypes.Role, "operator")], OperatorKey.Scheme));

    private readonly SharedSecret _key = new(operators.Value.ApiKey);

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!_key.IsConfigured)
        {
            // Only in Development: outside it the app refuses to start without a key.
            return Task.FromResult(Success());
        }

        var address = ClientAddress;
        if (failures.IsBlocked(address))
        {
            Context.Items[BlockedItem] = true;
            return Task.FromResult(AuthenticateResult.Fail("too many wrong operator keys from this address"));
        }

        var presented = Request.Headers[OperatorKey.HeaderName];
        if (presented.Count == 0)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (_key.Matches(presented))
        {
            return Task.FromResult(Success());
        }

        failures.RecordFailure(address);
        LogWrongKey(Logger, address, Printable.Escape(Request.Path.Value));
        return Task.FromResult(AuthenticateResult.Fail("wrong operator key"));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Items.ContainsKey(BlockedItem))
        {
            Response.Headers.RetryAfter = ((int)FailedKeyLimiter.Window.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            await TypedResults.Problem(
                statusCode: StatusCodes.Status429TooManyRequests,
                title: "Too many requests",
                detail: "Too many wrong operator keys from this address; try again later.").ExecuteAsync(Context);
            return;
        }

        await TypedResults.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: "Unauthorized",
            detail: $"Operator endpoints need a valid {OperatorKey.HeaderName} header.").ExecuteAsync(Context);
    }

    private IPAddress ClientAddress => Context.Connection.RemoteIpAddress ?? IPAddress.None;

    private AuthenticateResult Success() => AuthenticateResult.Success(new AuthenticationTicket(Operator, OperatorKey.Scheme));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Wrong operator key from {RemoteAddress} for {Path}")]
    private static partial void LogWrongKey(ILogger logger, IPAddress remoteAddress, string path);
}
