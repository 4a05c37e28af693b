using Kyperian.Api.Adapters.Resilience;
using Kyperian.Domain.Ports;
using StackExchange.Redis;

namespace Kyperian.Api.Adapters.Redis;

/// <summary>
/// Replay claims: <c>SET kyperian:dedupe:{signalId} 1 NX EX {window}</c>. When Redis is away this throws quickly (the
/// circuit opens after a few failures) and the webhook falls back to the store's conditional put.
/// </summary>
public sealed class RedisDedupeStore(RedisConnection connection, ResiliencePipelines resilience) : IDedupeStore
{
    public static RedisKey Key(string signalId) => "kyperian:dedupe:" + signalId;

    public async Task<bool> TryClaimAsync(string signalId, TimeSpan window, CancellationToken cancellationToken)
    {
        var db = await connection.DatabaseAsync();
        var seconds = TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(window.TotalSeconds)));
        return await resilience.ExecuteAsync(
            Backends.Redis,
            (s, _) => new ValueTask<bool>(s.db.StringSetAsync(Key(s.signalId), 1, s.seconds, When.NotExists)),
            (db, signalId, seconds),
            cancellationToken);
    }

    public async Task<bool> IsClaimedAsync(string signalId, CancellationToken cancellationToken)
    {
        var db = await connection.DatabaseAsync();
        return await resilience.ExecuteAsync(
            Backends.Redis,
            (s, _) => new ValueTask<bool>(s.db.KeyExistsAsync(Key(s.signalId))),
            (db, signalId),
            cancellationToken);
    }

    public async Task ReleaseAsync(string signalId, CancellationToken cancellationToken)
    {
        var db = await connection.DatabaseAsync();
        await resilience.ExecuteAsync(
            Backends.Redis,
            (s, _) => new ValueTask<bool>(s.db.KeyDeleteAsync(Key(s.signalId))),
            (db, signalId),
            cancellationToken);
    }
}
