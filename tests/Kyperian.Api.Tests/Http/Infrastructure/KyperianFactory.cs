using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kyperian.Api.Tests.Http.Infrastructure;

/// <summary>
/// The Api in process, as deployed (Production, passphrase and operator key set), rate limit off unless a test
/// turns it on, every log line captured. Each instance is its own process state: stores, bus, risk ledger, on an
/// embedded database file of its own in a temporary folder, removed with the instance.
/// </summary>
public class KyperianFactory : WebApplicationFactory<Program>
{
    /// <summary>Distinctive values, so a leak into a response or a log line cannot be a coincidence.</summary>
    public const string Passphrase = "tv-Pass-7f3c9e1a-Hush";
    public const string OperatorKey = "op-Key-2b8d4f6e-Quiet";

    /// <summary>
    /// Engine settings under which one alert on its own is enough and is decided at once: for tests of the plumbing
    /// (intake, stores, roles, faults), not of confluence, which have the defaults.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string?> LoneAlertsDecide = new Dictionary<string, string?>
    {
        ["Kyperian:Engine:MinLiveTimeframes"] = "1",
        ["Kyperian:Engine:RequireHigherTimeframe"] = "false",
        ["Kyperian:Engine:SettleMilliseconds"] = "0",
    };

    /// <summary><see cref="LoneAlertsDecide"/> with <paramref name="more"/> on top.</summary>
    public static Dictionary<string, string?> LoneAlertsDecideWith(IReadOnlyDictionary<string, string?> more)
    {
        var settings = new Dictionary<string, string?>(LoneAlertsDecide, StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }

    private readonly Dictionary<string, string?> _settings = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Kyperian:Webhook:Passphrase"] = Passphrase,
        ["Kyperian:Operator:ApiKey"] = OperatorKey,
        ["Kyperian:Webhook:RateLimitPerSecond"] = "0",

        // Tests send wrong keys on purpose; the budget per address has a test of its own.
        ["Kyperian:Operator:MaxFailedKeysPerMinute"] = "1000",
    };

    private readonly Action<IServiceCollection>? _services;
    private readonly string _environment;

    /// <param name="settings">Configuration on top of the defaults; a null value removes a default.</param>
    /// <param name="services">Test services (fault-injecting backends, a test clock).</param>
    /// <param name="environment">The host environment; Production unless a test needs Development.</param>
    public KyperianFactory(
        IReadOnlyDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null,
        string environment = "Production")
    {
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                _settings.Remove(key);
            }
            else
            {
                _settings[key] = value;
            }
        }

        _services = services;
        _environment = environment;
        _settings.TryAdd("Kyperian:Embedded:Path", Path.Combine(_folder, "kyperian.db"));
    }

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "kyperian-factory-" + Guid.NewGuid().ToString("N"));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        GC.SuppressFinalize(this);
        DeleteFolder();
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        DeleteFolder();
    }

    private void DeleteFolder()
    {
        try
        {
            if (Directory.Exists(_folder))
            {
                Directory.Delete(_folder, recursive: true);
            }
        }
        catch (IOException)
        {
        }
    }

    public LogCapture Logs { get; } = new();

    public HttpClient CreateOperatorClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", OperatorKey);
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(_environment);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging =>
        {
            logging.AddProvider(Logs);
            logging.AddFilter<LogCapture>("Kyperian", LogLevel.Trace);
        });

        if (_services is not null)
        {
            builder.ConfigureTestServices(_services);
        }
    }
}

/// <summary>The shared app of a test class: the defaults, except that one alert is enough for a decision.</summary>
public sealed class ApiFixture : KyperianFactory
{
    public ApiFixture()
        : base(LoneAlertsDecide)
    {
    }
}
