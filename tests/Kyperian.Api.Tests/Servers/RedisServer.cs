using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Kyperian.Api.Tests.Servers;

/// <summary>
/// A real redis-server (KYPERIAN_REDIS_SERVER, else PATH) on a free loopback port, without persistence.
/// It takes no <c>--port 0</c>, so the port is picked free beforehand.
/// </summary>
public sealed class RedisServer : LocalServer
{
    public string Endpoint => $"127.0.0.1:{Port}";

    protected override ProcessStartInfo StartInfo()
    {
        var info = new ProcessStartInfo(LocalEnvironment.Executable("KYPERIAN_REDIS_SERVER", "redis-server"));
        foreach (var arg in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning" })
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }

    protected override async Task WaitReadyAsync(Process process)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with code {process.ExitCode} while starting.");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                var stream = client.GetStream();
                await stream.WriteAsync("PING\r\n"u8.ToArray());
                var buffer = new byte[16];
                var read = await stream.ReadAsync(buffer);
                if (Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("redis-server did not answer PING within 20 s.");
            }

            await Task.Delay(25);
        }
    }
}

/// <summary>One redis-server for the tests that share it (each uses keys of its own).</summary>
[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisServer>
{
    public const string Name = "redis-server";
}
