using System.Text.Json;
using System.Text.Json.Serialization;
using Kyperian.Api.Infrastructure.Formats;
using Kyperian.Api.Infrastructure.Resilience;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Signals;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Kyperian.Api.Infrastructure.Redis;

/// <summary>
/// The engine's per-symbol state in Redis. <c>kyperian:mtf:{symbol}</c> is a hash from timeframe label to that
/// timeframe's latest signal (JSON); one Lua script compares, replaces only when newer
/// (<see cref="TimeframeSignal.Supersedes"/>: later observation, of one moment the later arrival, then the greater id) and returns every timeframe,
/// atomically, so two signals of one symbol decided at once on two engines lose nothing.
/// <c>kyperian:cooldown:{symbol}</c> holds the last EXECUTE's time and expires when its cooldown does.
/// </summary>
public sealed class RedisMarketState(
    RedisConnection connection,
    ResiliencePipelines resilience,
    IOptions<RedisOptions> options) : IMarketState
{
    /// <summary>Ordinal comparison of two strings, as <see cref="string.CompareOrdinal(string, string)"/> does for ASCII.</summary>
    private const string CompareFunction = """
        local function cmp(a, b)
          if a == b then return 0 end
          local n = math.min(#a, #b)
          for i = 1, n do
            local x, y = string.byte(a, i), string.byte(b, i)
            if x ~= y then if x < y then return -1 else return 1 end end
          end
          if #a < #b then return -1 else return 1 end
        end
        """;

    // KEYS[1] hash; ARGV: field, entry JSON, observedAt (fixed-width UTC), signalId, ttl seconds, receivedAt (fixed-width UTC).
    // Newer observation wins; of one moment the later arrival, then the greater id (TimeframeSignal.Supersedes).
    private const string RecordScript = CompareFunction + """

        local current = redis.call('HGET', KEYS[1], ARGV[1])
        local replace = true
        if current then
          local ok, c = pcall(cjson.decode, current)
          if ok and type(c) == 'table' and type(c.observedAt) == 'string' and type(c.signalId) == 'string' then
            local order = cmp(c.observedAt, ARGV[3])
            if order == 0 then
              local arrived = type(c.receivedAt) == 'string' and c.receivedAt or ''
              order = cmp(arrived, ARGV[6])
            end
            if order > 0 or (order == 0 and cmp(c.signalId, ARGV[4]) >= 0) then replace = false end
          end
        end
        if replace then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
        redis.call('EXPIRE', KEYS[1], ARGV[5])
        return redis.call('HVALS', KEYS[1])
        """;

    // KEYS[1] cooldown key; ARGV: time (fixed-width UTC), expires at (unix ms).
    private const string CooldownScript = CompareFunction + """

        local current = redis.call('GET', KEYS[1])
        if current and cmp(current, ARGV[1]) >= 0 then return 0 end
        redis.call('SET', KEYS[1], ARGV[1])
        redis.call('PEXPIREAT', KEYS[1], ARGV[2])
        return 1
        """;


    private readonly TimeSpan _ttl = TimeSpan.FromDays(Math.Max(1, options.Value.MarketStateTtlDays));

    public static RedisKey MarketKey(Symbol symbol) => "kyperian:mtf:" + symbol.Value;

    public static RedisKey CooldownKey(Symbol symbol) => "kyperian:cooldown:" + symbol.Value;

    public async Task<IReadOnlyList<TimeframeSignal>> RecordAsync(Signal signal, CancellationToken cancellationToken)
    {
        var observedAt = SortableUtc.Format(signal.ObservedAt);
        var receivedAt = SortableUtc.Format(signal.ReceivedAt);
        var entry = new MarketEntry(
            signal.Timeframe.Label,
            signal.Timeframe.Seconds,
            signal.Action.ToString(),
            signal.Confidence,
            observedAt,
            signal.SignalId,
            signal.Price,
            receivedAt);
        var json = JsonSerializer.Serialize(entry, RedisJsonContext.Default.MarketEntry);
        RedisValue[] args = [signal.Timeframe.Label, json, observedAt, signal.SignalId, (long)_ttl.TotalSeconds, receivedAt];

        var db = await connection.DatabaseAsync();
        var result = await resilience.ExecuteAsync(
            Backend.Redis,
            (s, _) => new ValueTask<RedisResult>(s.db.ScriptEvaluateAsync(RecordScript, [s.key], s.args)),
            (db, key: MarketKey(signal.Symbol), args),
            cancellationToken);

        var values = (RedisValue[]?)result ?? [];
        var latest = new List<TimeframeSignal>(values.Length);
        foreach (var value in values)
        {
            if (Parse(value) is { } timeframeSignal)
            {
                latest.Add(timeframeSignal);
            }
        }

        return latest;
    }

    public async Task<IReadOnlyList<TimeframeSignal>> ReadAsync(Symbol symbol, CancellationToken cancellationToken)
    {
        var db = await connection.DatabaseAsync();
        var values = await resilience.ExecuteAsync(
            Backend.Redis,
            (s, _) => new ValueTask<RedisValue[]>(s.db.HashValuesAsync(s.key)),
            (db, key: MarketKey(symbol)),
            cancellationToken);
        var latest = new List<TimeframeSignal>(values.Length);
        foreach (var value in values)
        {
            if (Parse(value) is { } timeframeSignal)
            {
                latest.Add(timeframeSignal);
            }
        }

        return latest;
    }

    public async Task<DateTimeOffset?> GetLastExecuteAsync(Symbol symbol, CancellationToken cancellationToken)
    {
        var db = await connection.DatabaseAsync();
        var value = await resilience.ExecuteAsync(
            Backend.Redis,
            (s, _) => new ValueTask<RedisValue>(s.db.StringGetAsync(s.key)),
            (db, key: CooldownKey(symbol)),
            cancellationToken);
        return value.HasValue ? SortableUtc.Parse(value.ToString()) : null;
    }

    public async Task SetLastExecuteAsync(Symbol symbol, DateTimeOffset at, TimeSpan cooldown, CancellationToken cancellationToken)
    {
        RedisValue[] args = [SortableUtc.Format(at), (at + cooldown).ToUnixTimeMilliseconds()];
        var db = await connection.DatabaseAsync();
        await resilience.ExecuteAsync(
            Backend.Redis,
            (s, _) => new ValueTask<RedisResult>(s.db.ScriptEvaluateAsync(CooldownScript, [s.key], s.args)),
            (db, key: CooldownKey(symbol), args),
            cancellationToken);
    }

    private static TimeframeSignal? Parse(RedisValue value)
    {
        var entry = JsonSerializer.Deserialize((string)value!, RedisJsonContext.Default.MarketEntry);
        return entry is null
            ? null
            : new TimeframeSignal(
                Timeframe.FromSeconds(entry.Seconds),
                Enum.Parse<SignalAction>(entry.Action),
                entry.Confidence,
                SortableUtc.Parse(entry.ObservedAt),
                entry.SignalId,
                entry.ReceivedAt is { } receivedAt ? SortableUtc.Parse(receivedAt) : null);
    }

}

/// <summary>One timeframe's latest signal as the hash holds it.</summary>
public sealed record MarketEntry(
    string Timeframe,
    int Seconds,
    string Action,
    int? Confidence,
    string ObservedAt,
    string SignalId,
    decimal? Price,
    string? ReceivedAt);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(MarketEntry))]
internal sealed partial class RedisJsonContext : JsonSerializerContext;
