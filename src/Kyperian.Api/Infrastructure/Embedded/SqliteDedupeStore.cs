using Kyperian.Domain.Ports;

namespace Kyperian.Api.Infrastructure.Embedded;

/// <summary>
/// Replay claims in <c>dedupe_claims</c>, with the recent ones in memory.
/// </summary>
/// <remarks>
/// Every claim is made in memory first (one lock, so one claimant wins) and then queued for the writer, not awaited:
/// the webhook's next step, storing the signal, is queued behind it and awaited, so by the time a 202 is sent the
/// claim is committed too, and a resend after a crash is still a duplicate. The memory holds two generations of at most
/// <see cref="EmbeddedOptions.ClaimCacheSize"/> claims together; a generation is dropped only once its writes are
/// committed. While no live claim has been dropped and every claim of an earlier process has expired, memory knows
/// every live claim and a miss is an answer; otherwise a miss is looked up in the file.
/// </remarks>
public sealed class SqliteDedupeStore : IDedupeStore
{
    private const string LiveUntilSql = "SELECT max(expires_at) FROM dedupe_claims";

    private const string FindSql = "SELECT expires_at FROM dedupe_claims WHERE claim_id = $id";

    private const string ClaimSql = "INSERT OR REPLACE INTO dedupe_claims (claim_id, expires_at) VALUES ($id, $expires_at)";

    private const string ReleaseSql = "DELETE FROM dedupe_claims WHERE claim_id = $id";

    /// <summary>A released claim, remembered so that an older copy in the file is not believed.</summary>
    private const long Released = 0;

    private readonly EmbeddedDatabase _database;
    private readonly TimeProvider _time;
    private readonly int _generationSize;
    private readonly Task<long> _earlierClaimsLiveUntil;
    private readonly Lock _gate = new();
    private Generation _current = new();
    private Generation _previous = new();
    private long _droppedLiveUntil;

    public SqliteDedupeStore(EmbeddedDatabase database, TimeProvider time)
    {
        _database = database;
        _time = time;
        _generationSize = Math.Max(1, database.Options.ClaimCacheSize / 2);
        _earlierClaimsLiveUntil = database.RunAsync(0, static (c, _) => c.Statement(LiveUntilSql).ExecuteScalar() is long ticks ? ticks : 0L);
    }

    /// <summary>Claims held in memory.</summary>
    public int Cached
    {
        get
        {
            lock (_gate)
            {
                return _current.Claims.Count + _previous.Claims.Count;
            }
        }
    }

    public async Task<bool> TryClaimAsync(string signalId, TimeSpan window, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow().UtcTicks;
        var expiresAt = now + Math.Max(TimeSpan.TicksPerSecond, window.Ticks);
        var known = Find(signalId);
        if (known is { } cached)
        {
            return cached > now ? false : Claim(signalId, now, expiresAt, null);
        }

        if (await KnowsEveryLiveClaimAsync(now))
        {
            return Claim(signalId, now, expiresAt, null);
        }

        var stored = await ReadStoredAsync(signalId, cancellationToken);
        return Claim(signalId, now, expiresAt, stored);
    }

    public async Task<bool> IsClaimedAsync(string signalId, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow().UtcTicks;
        if (Find(signalId) is { } cached)
        {
            return cached > now;
        }

        if (await KnowsEveryLiveClaimAsync(now))
        {
            return false;
        }

        return await ReadStoredAsync(signalId, cancellationToken) is { } stored && stored > now;
    }

    public Task ReleaseAsync(string signalId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _previous.Claims.Remove(signalId);
            Remember(signalId, Released);
            _database.Post(signalId, static (c, id) => c.Statement(ReleaseSql).Set("$id", id).ExecuteNonQuery(), isolated: false);
            _current.LastWrite = _database.LastQueuedWrite;
        }

        return Task.CompletedTask;
    }

    /// <summary>Claims unless memory (or <paramref name="stored"/>, the file's expiry for the id) holds a live one.</summary>
    private bool Claim(string signalId, long now, long expiresAt, long? stored)
    {
        lock (_gate)
        {
            var current = FindLocked(signalId) ?? stored;
            if (current > now)
            {
                if (stored is not null)
                {
                    Remember(signalId, current.Value);
                }

                return false;
            }

            Remember(signalId, expiresAt);
            _database.Post((signalId, expiresAt), static (c, claim) =>
                c.Statement(ClaimSql).Set("$id", claim.signalId).Set("$expires_at", claim.expiresAt).ExecuteNonQuery(), isolated: false);
            _current.LastWrite = _database.LastQueuedWrite;
            return true;
        }
    }

    private async ValueTask<bool> KnowsEveryLiveClaimAsync(long now) =>
        now >= await _earlierClaimsLiveUntil && now >= Volatile.Read(ref _droppedLiveUntil);

    private Task<long?> ReadStoredAsync(string signalId, CancellationToken cancellationToken) =>
        _database.ReadAsync(signalId, static (c, id) => c.Statement(FindSql).Set("$id", id).ExecuteScalar() is long ticks ? ticks : (long?)null, cancellationToken);

    private long? Find(string signalId)
    {
        lock (_gate)
        {
            return FindLocked(signalId);
        }
    }

    private long? FindLocked(string signalId) =>
        _current.Claims.TryGetValue(signalId, out var expiresAt) || _previous.Claims.TryGetValue(signalId, out expiresAt)
            ? expiresAt
            : null;

    private void Remember(string signalId, long expiresAt)
    {
        if (_current.Claims.Count >= _generationSize && !_current.Claims.ContainsKey(signalId))
        {
            Rotate();
        }

        _current.Claims[signalId] = expiresAt;
        _current.LiveUntil = Math.Max(_current.LiveUntil, expiresAt);
    }

    /// <summary>Drops the older generation, once the file has every claim it holds; until then memory grows a little instead.</summary>
    private void Rotate()
    {
        if (!_database.IsSettled(_previous.LastWrite))
        {
            return;
        }

        Volatile.Write(ref _droppedLiveUntil, Math.Max(_droppedLiveUntil, _previous.LiveUntil));
        _previous = _current;
        _current = new Generation();
    }

    private sealed class Generation
    {
        public Dictionary<string, long> Claims { get; } = new(StringComparer.Ordinal);

        /// <summary>The latest expiry among the claims: until then, dropping this generation forgets a live claim.</summary>
        public long LiveUntil { get; set; }

        /// <summary>The writer's number of the last claim or release queued from this generation.</summary>
        public long LastWrite { get; set; }
    }
}
