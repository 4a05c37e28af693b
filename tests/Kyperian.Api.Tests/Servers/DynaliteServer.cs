using System.Diagnostics;
using System.Globalization;

namespace Kyperian.Api.Tests.Servers;

/// <summary>
/// A real dynalite (KYPERIAN_DYNALITE, else scripts/servers/node_modules/.bin/dynalite) on a free loopback port.
/// Backed by LevelDB in a temporary folder, so a restart keeps the tables and items, as DynamoDB would.
/// </summary>
public sealed class DynaliteServer : LocalServer
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "kyperian-dynalite-" + Guid.NewGuid().ToString("N"));

    public string ServiceUrl => $"http://127.0.0.1:{Port}";

    protected override ProcessStartInfo StartInfo()
    {
        var fallback = Path.Combine(LocalEnvironment.RepositoryRoot(), "scripts", "servers", "node_modules", ".bin", "dynalite");
        var info = new ProcessStartInfo(LocalEnvironment.Executable("KYPERIAN_DYNALITE", "dynalite", fallback));
        foreach (var arg in new[]
                 {
                     "--port", Port.ToString(CultureInfo.InvariantCulture), "--host", "127.0.0.1", "--path", _data,
                     "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0",
                 })
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>One dynalite for the tests that share it (each uses tables of its own).</summary>
[CollectionDefinition(Name)]
public sealed class DynaliteCollection : ICollectionFixture<DynaliteServer>
{
    public const string Name = "dynalite";
}
