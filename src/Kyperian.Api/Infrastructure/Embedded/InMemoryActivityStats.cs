using Kyperian.Domain.Activity;
using Kyperian.Domain.Ports;

namespace Kyperian.Api.Infrastructure.Embedded;

/// <summary>Hourly activity counters in process.</summary>
public sealed class InMemoryActivityStats : IActivityStats
{
    private readonly SortedDictionary<DateTimeOffset, Dictionary<ActivityKey, long>> _hours = [];

    public Task AddAsync(ActivityTally tally, CancellationToken cancellationToken)
    {
        lock (_hours)
        {
            if (!_hours.TryGetValue(tally.Hour, out var counts))
            {
                _hours[tally.Hour] = counts = [];
            }

            foreach (var (key, count) in tally.Counts)
            {
                counts[key] = counts.GetValueOrDefault(key) + count;
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<ActivityTally>> ReadAsync(DateTimeOffset fromHour, DateTimeOffset toHour, CancellationToken cancellationToken)
    {
        lock (_hours)
        {
            IReadOnlyList<ActivityTally> tallies =
                [.. _hours.Where(h => h.Key >= fromHour && h.Key <= toHour).Select(h => new ActivityTally(h.Key, new Dictionary<ActivityKey, long>(h.Value)))];
            return Task.FromResult(tallies);
        }
    }
}
