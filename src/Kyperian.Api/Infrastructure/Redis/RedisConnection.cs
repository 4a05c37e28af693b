using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Kyperian.Api.Infrastructure.Redis;

/// <summary>
/// The one multiplexer the process shares. It connects lazily and keeps reconnecting in the background; while the
/// server is away commands fail at once (fail-fast backlog) instead of queueing, so callers fall back quickly.
/// </summary>
public sealed class RedisConnection : IAsyncDisposable
{
    private readonly Lazy<Task<IConnectionMultiplexer>> _connection;

    public RedisConnection(IOptions<RedisOptions> options)
    {
        var settings = options.Value;
        _connection = new Lazy<Task<IConnectionMultiplexer>>(
            async () => await ConnectionMultiplexer.ConnectAsync(Configuration(settings)),
            LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public async ValueTask<IDatabase> DatabaseAsync() => (await _connection.Value).GetDatabase();

    public static ConfigurationOptions Configuration(RedisOptions settings)
    {
        var configuration = new ConfigurationOptions
        {
            EndPoints = { { settings.Host, settings.Port } },
            Ssl = settings.Ssl,
            SslHost = string.IsNullOrWhiteSpace(settings.SslHost) ? null : settings.SslHost,
            User = string.IsNullOrWhiteSpace(settings.User) ? null : settings.User,
            Password = string.IsNullOrEmpty(settings.Password) ? null : settings.Password,
            ConnectTimeout = settings.ConnectTimeoutMs,
            SyncTimeout = settings.CommandTimeoutMs,
            AsyncTimeout = settings.CommandTimeoutMs,
            AbortOnConnectFail = false,
            ConnectRetry = 1,
            BacklogPolicy = BacklogPolicy.FailFast,
            ClientName = "kyperian",
            ReconnectRetryPolicy = new ExponentialRetry(250, 5000),
        };
        return configuration;
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection.IsValueCreated)
        {
            try
            {
                var multiplexer = await _connection.Value;
                await multiplexer.CloseAsync();
                multiplexer.Dispose();
            }
            catch (RedisException)
            {
                // Shutting down: nothing to save.
            }
        }
    }
}
