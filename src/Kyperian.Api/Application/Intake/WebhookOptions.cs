namespace Kyperian.Api.Application.Intake;

public sealed class WebhookOptions
{
    public const string Section = "Kyperian:Webhook";

    /// <summary>TradingView's published webhook senders.</summary>
    public static readonly string[] TradingViewAddresses = ["52.89.214.238", "34.212.75.30", "54.218.53.128", "52.32.178.7"];

    private static readonly HashSet<System.Net.IPAddress> TradingViewSenders = [.. TradingViewAddresses.Select(System.Net.IPAddress.Parse)];

    /// <summary>True for one of TradingView's webhook senders (IPv4, or IPv4 mapped to IPv6).</summary>
    public static bool IsTradingViewSender(System.Net.IPAddress? address) =>
        address is not null && TradingViewSenders.Contains(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    /// <summary>The shared secret alerts carry as <c>passphrase</c> (or <c>secret</c>, <c>key</c>, <c>?token=</c>).</summary>
    public string? Passphrase { get; set; }

    /// <summary>
    /// The body fields read as our passphrase; empty means passphrase, secret and key. Bridges carry their own
    /// <c>secret</c> or <c>key</c>: narrow this to <c>passphrase</c> and send ours as <c>?token=</c> to let theirs pass through.
    /// Empty by default for the same reason as <see cref="AllowedIps"/>.
    /// </summary>
    public string[] PassphraseFields { get; set; } = [];

    public IReadOnlyList<string> EffectivePassphraseFields =>
        PassphraseFields.Length > 0 ? PassphraseFields : Kyperian.Domain.Alerts.AlertReaderOptions.DefaultPassphraseFields;

    /// <summary>When true, only <see cref="EffectiveAllowedIps"/> may call /webhook.</summary>
    public bool EnforceAllowedIps { get; set; }

    /// <summary>
    /// The senders allowed when enforced; empty means TradingView's. Empty by default because the configuration
    /// binder appends configured items to an array's initial ones: a default here could never be replaced.
    /// </summary>
    public string[] AllowedIps { get; set; } = [];

    public IReadOnlyList<string> EffectiveAllowedIps => AllowedIps.Length > 0 ? AllowedIps : TradingViewAddresses;

    /// <summary>How long an alert without its own time or id counts as the same signal.</summary>
    public int DedupeSeconds { get; set; } = 300;

    public int MaxBodyBytes { get; set; } = 16 * 1024;

    /// <summary>Sustained requests per second per client address; 0 turns the limiter off.</summary>
    public int RateLimitPerSecond { get; set; } = 50;

    /// <summary>Requests a client address may burst above the sustained rate.</summary>
    public int RateLimitBurst { get; set; } = 100;

    public TimeSpan DedupeWindow => TimeSpan.FromSeconds(DedupeSeconds);
}
