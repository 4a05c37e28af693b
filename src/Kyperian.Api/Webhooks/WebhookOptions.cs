namespace Kyperian.Api.Webhooks;

public sealed class WebhookOptions
{
    public const string Section = "Kyperian:Webhook";

    /// <summary>TradingView's published webhook senders.</summary>
    public static readonly string[] TradingViewAddresses = ["52.89.214.238", "34.212.75.30", "54.218.53.128", "52.32.178.7"];

    /// <summary>The shared secret alerts carry as <c>passphrase</c> (or <c>secret</c>, <c>key</c>, <c>?token=</c>).</summary>
    public string? Passphrase { get; set; }

    /// <summary>When true, only <see cref="AllowedIps"/> may call /webhook.</summary>
    public bool EnforceAllowedIps { get; set; }

    public string[] AllowedIps { get; set; } = TradingViewAddresses;

    /// <summary>How long an alert without its own time or id counts as the same signal.</summary>
    public int DedupeSeconds { get; set; } = 300;

    public int MaxBodyBytes { get; set; } = 16 * 1024;

    /// <summary>Sustained requests per second per client address; 0 turns the limiter off.</summary>
    public int RateLimitPerSecond { get; set; } = 50;

    /// <summary>Requests a client address may burst above the sustained rate.</summary>
    public int RateLimitBurst { get; set; } = 100;

    public TimeSpan DedupeWindow => TimeSpan.FromSeconds(DedupeSeconds);
}

public sealed class OperatorOptions
{
    public const string Section = "Kyperian:Operator";

    /// <summary>The key operator endpoints expect in <c>X-Api-Key</c>.</summary>
    public string? ApiKey { get; set; }
}
