using System.Diagnostics;
using Kyperian.Api.Tests.Http.Infrastructure;

namespace Kyperian.Api.Tests.Servers;

/// <summary>
/// Kyperian.Api.dll as built beside the tests, run as a user would (role all, Development, embedded database at
/// <paramref name="databasePath"/>) on loopback, in a process of its own, so a test can kill it (<c>kill -9</c>) and
/// start it again on the same file. <paramref name="environment"/> adds to or overrides the settings.
/// </summary>
public sealed class KyperianProcess(string databasePath, string operatorKey, IReadOnlyDictionary<string, string>? environment = null) : LocalServer
{
    public HttpClient Client() => new() { BaseAddress = new Uri($"http://127.0.0.1:{Port}") };

    public HttpClient Operator()
    {
        var client = Client();
        client.DefaultRequestHeaders.Add("X-Api-Key", operatorKey);
        return client;
    }

    protected override ProcessStartInfo StartInfo()
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = AppContext.BaseDirectory };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Kyperian.Api.dll"));
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add($"http://127.0.0.1:{Port}");
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        info.Environment["Kyperian__Embedded__Path"] = databasePath;
        info.Environment["Kyperian__Webhook__Passphrase"] = KyperianFactory.Passphrase;
        info.Environment["Kyperian__Operator__ApiKey"] = operatorKey;
        info.Environment["Kyperian__Webhook__RateLimitPerSecond"] = "0";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        return info;
    }

    protected override async Task WaitReadyAsync(Process process)
    {
        await LocalEnvironment.WaitForTcpAsync(Port, TimeSpan.FromSeconds(60), process);
        using var client = Client();
        await HttpHelpers.EventuallyAsync(
            async () =>
            {
                using var response = await client.GetAsync("/health/live");
                return response.IsSuccessStatusCode ? "live" : null;
            },
            "the app answering /health/live",
            TimeSpan.FromSeconds(60));
    }
}
