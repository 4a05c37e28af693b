using Kyperian.Api.Infrastructure.Resilience;
using Kyperian.Domain.Ports;
using StackExchange.Redis;

namespace Kyperian.Api.Infrastructure.Redis;

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
        var attempts = 0;
        var claimed = await resilience.ExecuteAsync(
            Backend.Redis,
            async (s, _) =>
            {
                Interlocked.Increment(ref attempts);
                return await s.db.StringSetAsync(Key(s.signalId), 1, s.seconds, When.NotExists);
            },
            (db, signalId, seconds),
            cancellationToken);
        if (!claimed && attempts > 1)
        {
            // An earlier attempt timed out after Redis may have run it: this "taken" may be our own claim. Saying
            // duplicate could lose a new signal, so say nothing: the webhook falls back to the store's conditional put.
            throw new RedisClaimAmbiguousException(signalId);
        }

        return claimed;
    }

    public async Task<bool> IsClaimedAsync(string signalId, CancellationToken cancellationToken)
    {
        var db = await connection.DatabaseAsync();
        return await resilience.ExecuteAsync(
            Backend.Redis,
            (s, _) => new ValueTask<bool>(s.db.KeyExistsAsync(Key(s.signalId))),
            (db, signalId),
            cancellationToken);
    }

    public async Task ReleaseAsync(string signalId, CancellationToken cancellationToken)
    {
        var db = await connection.DatabaseAsync();
        await resilience.ExecuteAsync(
            Backend.Redis,
            (s, _) => new ValueTask<bool>(s.db.KeyDeleteAsync(Key(s.signalId))),
            (db, signalId),
            cancellationToken);
    }
}

/// <summary>A claim retried after a timeout found the key set, possibly by its own first attempt.</summary>
public sealed class RedisClaimAmbiguousException(string signalId)
    : Exception($"The dedupe claim of {signalId} is ambiguous after a retried attempt.");
