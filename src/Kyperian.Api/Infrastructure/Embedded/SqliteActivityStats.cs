using Kyperian.Domain.Activity;
using Kyperian.Domain.Ports;

namespace Kyperian.Api.Infrastructure.Embedded;

/// <summary>Hourly activity counters in the <c>activity</c> table, one row per hour and counter, added to in place.</summary>
public sealed class SqliteActivityStats(EmbeddedDatabase database) : IActivityStats
{
    private const string AddSql = """
        INSERT INTO activity (hour, name, count) VALUES ($hour, $name, $count)
        ON CONFLICT (hour, name) DO UPDATE SET count = count + excluded.count
        """;

    private const string ReadSql = "SELECT hour, name, count FROM activity WHERE hour BETWEEN $from AND $to ORDER BY hour";

    public Task AddAsync(ActivityTally tally, CancellationToken cancellationToken) =>
        database.WriteAsync(tally, static (c, t) =>
        {
            foreach (var (key, count) in t.Counts)
            {
                c.Statement(AddSql).Set("$hour", t.Hour).Set("$name", key.Encode()).Set("$count", count).ExecuteNonQuery();
            }

            return 0;
        });

    public Task<IReadOnlyList<ActivityTally>> ReadAsync(DateTimeOffset fromHour, DateTimeOffset toHour, CancellationToken cancellationToken) =>
        database.ReadAsync((fromHour, toHour), static (c, range) =>
        {
            var hours = new SortedDictionary<DateTimeOffset, Dictionary<ActivityKey, long>>();
            using var reader = c.Statement(ReadSql).Set("$from", range.fromHour).Set("$to", range.toHour).ExecuteReader();
            while (reader.Read())
            {
                if (!ActivityKey.TryDecode(reader.GetString(1), out var key))
                {
                    continue;
                }

                var hour = reader.GetTime(0);
                if (!hours.TryGetValue(hour, out var counts))
                {
                    hours[hour] = counts = [];
                }

                counts[key] = reader.GetInt64(2);
            }

            return (IReadOnlyList<ActivityTally>)[.. hours.Select(h => new ActivityTally(h.Key, h.Value))];
        },
        cancellationToken);
}
