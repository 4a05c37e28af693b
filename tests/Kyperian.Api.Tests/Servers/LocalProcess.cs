using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Kyperian.Api.Tests.Servers;

/// <summary>Free loopback ports and the repository root, for fixtures that start real servers.</summary>
public static class LocalEnvironment
{
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Kyperian.Api.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Kyperian.Api.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>An executable named by an environment variable, else found on PATH, else the fallback path; else the run fails, naming it.</summary>
    public static string Executable(string environmentVariable, string name, string? fallback = null)
    {
        if (Environment.GetEnvironmentVariable(environmentVariable) is { Length: > 0 } configured)
        {
            return File.Exists(configured)
                ? configured
                : throw new FileNotFoundException($"{environmentVariable}={configured} does not exist.");
        }

        if (fallback is not null && File.Exists(fallback))
        {
            return fallback;
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException(
            $"{name} is not installed: set {environmentVariable} or run scripts/test.sh, which installs it.");
    }

    public static async Task WaitForTcpAsync(int port, TimeSpan timeout, Process? process = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (process is { HasExited: true })
            {
                throw new InvalidOperationException($"The server on port {port} exited with code {process.ExitCode} while starting.");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(25);
            }
        }
    }
}

/// <summary>A server process this test run started, and stops: on loopback, on a port of its own.</summary>
public abstract class LocalServer : IAsyncLifetime
{
    private Process? _process;

    public int Port { get; } = LocalEnvironment.FreePort();

    public bool Running => _process is { HasExited: false };

    protected abstract ProcessStartInfo StartInfo();

    protected virtual Task WaitReadyAsync(Process process) =>
        LocalEnvironment.WaitForTcpAsync(Port, TimeSpan.FromSeconds(20), process);

    public async Task StartAsync()
    {
        if (Running)
        {
            return;
        }

        var info = StartInfo();
        info.UseShellExecute = false;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        var process = Process.Start(info) ?? throw new InvalidOperationException($"{info.FileName} did not start.");
        process.OutputDataReceived += static (_, _) => { };
        process.ErrorDataReceived += static (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await WaitReadyAsync(process);
    }

    /// <summary>Kills the server (a crash, as far as its clients can tell).</summary>
    public async Task StopAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        _process = null;
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync();
        }
        finally
        {
            process.Dispose();
        }
    }

    public Task InitializeAsync() => StartAsync();

    public virtual async Task DisposeAsync() => await StopAsync();
}
