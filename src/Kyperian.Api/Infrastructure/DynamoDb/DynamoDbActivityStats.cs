using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Kyperian.Api.Infrastructure.Resilience;
using Kyperian.Domain.Activity;
using Kyperian.Domain.Ports;
using Microsoft.Extensions.Options;
using static Kyperian.Api.Infrastructure.DynamoDb.DynamoDbFormats;

namespace Kyperian.Api.Infrastructure.DynamoDb;

/// <summary>
/// Hourly activity counters in <c>{prefix}-stats</c>: one item per UTC hour (key <c>hour</c>, <c>yyyy-MM-ddTHH</c>), one
/// number attribute per counter (<c>v#VETO</c>, <c>s#BTCUSDT</c>, <c>ld#17</c>…), added to atomically with ADD by every
/// process. A range is read with BatchGetItem by key, never a scan. Items expire (TTL <c>expiresAt</c>).
/// </summary>
public sealed class DynamoDbActivityStats(
    IAmazonDynamoDB client,
    IOptions<DynamoDbOptions> options,
    ResiliencePipelines resilience) : IActivityStats
{
    /// <summary>Counters per UpdateItem: keeps the update expression well under its 4 KB limit.</summary>
    private const int CountersPerUpdate = 100;

    private const int KeysPerBatch = 100;

    private readonly DynamoDbOptions _options = options.Value;

    public async Task AddAsync(ActivityTally tally, CancellationToken cancellationToken)
    {
        var expiresAt = tally.Hour.AddDays(Math.Max(1, _options.StatsRetentionDays)).ToUnixTimeSeconds();
        foreach (var chunk in tally.Counts.Chunk(CountersPerUpdate))
        {
            var names = new Dictionary<string, string>(chunk.Length);
            var values = new Dictionary<string, AttributeValue>(chunk.Length + 1) { [":expires"] = Num(expiresAt) };
            var adds = new List<string>(chunk.Length);
            for (var i = 0; i < chunk.Length; i++)
            {
                var (key, count) = chunk[i];
                names[$"#c{i}"] = key.Encode();
                values[$":c{i}"] = Num(count);
                adds.Add($"#c{i} :c{i}");
            }

            await resilience.ExecuteAsync(
                Backend.DynamoDb,
                (r, ct) => new ValueTask<UpdateItemResponse>(client.UpdateItemAsync(r, ct)),
                new UpdateItemRequest
                {
                    TableName = _options.StatsTable,
                    Key = new Dictionary<string, AttributeValue> { ["hour"] = S(ActivityTally.HourKey(tally.Hour)) },
                    UpdateExpression = "ADD " + string.Join(", ", adds) + " SET expiresAt = :expires",
                    ExpressionAttributeNames = names,
                    ExpressionAttributeValues = values,
                },
                cancellationToken);
        }
    }

    public async Task<IReadOnlyList<ActivityTally>> ReadAsync(DateTimeOffset fromHour, DateTimeOffset toHour, CancellationToken cancellationToken)
    {
        var hours = new List<string>();
        for (var hour = ActivityTally.HourOf(fromHour); hour <= toHour; hour = hour.AddHours(1))
        {
            hours.Add(ActivityTally.HourKey(hour));
        }

        var tallies = new List<ActivityTally>();
        foreach (var batch in hours.Chunk(KeysPerBatch))
        {
            var keys = batch.Select(h => new Dictionary<string, AttributeValue> { ["hour"] = S(h) }).ToList();
            while (keys.Count > 0)
            {
                var response = await resilience.ExecuteAsync(
                    Backend.DynamoDb,
                    (r, ct) => new ValueTask<BatchGetItemResponse>(client.BatchGetItemAsync(r, ct)),
                    new BatchGetItemRequest { RequestItems = new Dictionary<string, KeysAndAttributes> { [_options.StatsTable] = new() { Keys = keys } } },
                    cancellationToken);
                if (response.Responses?.TryGetValue(_options.StatsTable, out var items) == true)
                {
                    tallies.AddRange(items.Select(FromItem));
                }

                keys = response.UnprocessedKeys?.TryGetValue(_options.StatsTable, out var unprocessed) == true ? unprocessed.Keys ?? [] : [];
            }
        }

        return [.. tallies.OrderBy(t => t.Hour)];
    }

    private static ActivityTally FromItem(Dictionary<string, AttributeValue> item)
    {
        var counts = new Dictionary<ActivityKey, long>();
        foreach (var (name, value) in item)
        {
            if (value.N is { } n && ActivityKey.TryDecode(name, out var key))
            {
                counts[key] = long.Parse(n, NumberStyles.Integer, CultureInfo.InvariantCulture);
            }
        }

        return new ActivityTally(ActivityTally.ParseHourKey(GetS(item, "hour")), counts);
    }
}
