using Kyperian.Api.Tests.Http.Infrastructure;
using Microsoft.Playwright;

namespace Kyperian.Api.Tests.Console;

/// <summary>
/// Debian's chromium, headless, driven by Playwright through its <c>ExecutablePath</c>: nothing is downloaded. One
/// browser for the test collection, on a fresh profile directory that is deleted afterwards.
/// </summary>
public sealed class Browser : IAsyncLifetime
{
    public const string ChromiumVariable = "KYPERIAN_CHROMIUM";

    private readonly string _profile = Path.Combine(Path.GetTempPath(), "kyperian-chromium-" + Guid.NewGuid().ToString("N")[..12]);
    private IPlaywright? _playwright;

    public IBrowserContext Context { get; private set; } = null!;

    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable(ChromiumVariable) is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException(
                $"No chromium at {ExecutablePath}: scripts/test.sh installs Debian's chromium, or set {ChromiumVariable}.");
        }

        _playwright = await Playwright.CreateAsync();
        Directory.CreateDirectory(_profile);
        Context = await _playwright.Chromium.LaunchPersistentContextAsync(_profile, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
            ],
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            ColorScheme = ColorScheme.Light,
        });
        Context.SetDefaultTimeout(20_000);
    }

    public async Task DisposeAsync()
    {
        if (Context is not null)
        {
            await Context.CloseAsync();
        }

        _playwright?.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // A crash reporter may still hold a file; the directory is in the temp folder.
        }
    }

    /// <summary>A new tab that records every console error and uncaught exception of the page.</summary>
    public async Task<Tab> OpenAsync(Uri address, int width = 1280, int height = 900, ColorScheme scheme = ColorScheme.Light)
    {
        var page = await Context.NewPageAsync();
        await page.SetViewportSizeAsync(width, height);
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = scheme });
        var tab = new Tab(page);
        await page.GotoAsync(address.ToString());
        return tab;
    }

    /// <summary>The repository's root: where the screenshots of a run go (artifacts/console/).</summary>
    public static string ArtifactsFolder
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Kyperian.Api.sln")))
            {
                directory = directory.Parent;
            }

            var folder = Path.Combine(directory?.FullName ?? Path.GetTempPath(), "artifacts", "console");
            Directory.CreateDirectory(folder);
            return folder;
        }
    }
}

/// <summary>A page, with what it reported: console errors and uncaught exceptions.</summary>
public sealed class Tab
{
    private readonly List<string> _errors = [];

    public Tab(IPage page)
    {
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (_errors)
                {
                    _errors.Add("console: " + message.Text);
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (_errors)
            {
                _errors.Add("uncaught: " + error);
            }
        };
    }

    public IPage Page { get; }

    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_errors)
            {
                return [.. _errors];
            }
        }
    }

    public async Task EnterKeyAsync(string key)
    {
        await Page.Locator("#key-input").FillAsync(key);
        await Page.Locator("#key-form button[type=submit]").ClickAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<Browser>
{
    public const string Name = "browser";
}

/// <summary>The app on real Kestrel (a browser needs a real socket), as deployed unless a test says otherwise.</summary>
public sealed class ConsoleApp : KyperianFactory
{
    public ConsoleApp(IReadOnlyDictionary<string, string?>? settings = null, string environment = "Production")
        : base(settings, environment: environment)
    {
        this.UseKestrel(0);
        StartServer();
    }

    public Uri Address => ClientOptions.BaseAddress;

    public Uri ConsoleAddress => new(Address, "console");
}
