using Kyperian.Api.Infrastructure.Embedded;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Kyperian.Api.Tests.Embedded;

/// <summary>
/// The embedded backends on a real database file in a temporary folder, built the way the app builds them.
/// <see cref="RestartAsync"/> closes everything and opens the same file again, as a new process would.
/// </summary>
public sealed class EmbeddedTestDatabase : IAsyncDisposable
{
    private readonly Dictionary<string, string?> _settings;

    public EmbeddedTestDatabase(Dictionary<string, string?>? settings = null)
    {
        Folder = Path.Combine(Path.GetTempPath(), "kyperian-embedded-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        _settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Kyperian:Embedded:Path"] = FilePath,
        };
        foreach (var (key, value) in settings ?? [])
        {
            _settings[key] = value;
        }

        Services = Build();
    }

    public string Folder { get; }

    /// <summary>In a folder that does not exist yet: the database creates it.</summary>
    public string FilePath => Path.Combine(Folder, "data", "kyperian.db");

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 28, 14, 30, 0, TimeSpan.Zero));

    public ServiceProvider Services { get; private set; }

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    public async Task RestartAsync()
    {
        await Services.DisposeAsync();
        Services = Build();
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private ServiceProvider Build()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(_settings).Build();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddMetrics();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<TimeProvider>(Time);
        services.AddEmbeddedBackends(EmbeddedPorts.All);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        _ = provider.GetRequiredService<IOptions<EmbeddedOptions>>().Value;
        return provider;
    }
}
