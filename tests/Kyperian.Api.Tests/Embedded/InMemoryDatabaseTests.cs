using Kyperian.Api.Tests.Adapters;
using Kyperian.Domain.Ports;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Kyperian.Api.Tests.Embedded;

/// <summary><c>Kyperian:Embedded:Path=:memory:</c>: the same stores on one connection, no file.</summary>
public sealed class InMemoryDatabaseTests
{
    [Fact]
    public async Task The_stores_work_without_a_file_and_health_says_so()
    {
        await using var db = new EmbeddedTestDatabase(new Dictionary<string, string?> { ["Kyperian:Embedded:Path"] = ":memory:" });
        var signal = TestData.Signal();
        Assert.True(await db.Get<ISignalStore>().TryAddAsync(signal, PublishState.Pending, default));
        Assert.Equal(signal, await db.Get<ISignalStore>().GetAsync(signal.SignalId, default));
        Assert.True(await db.Get<IDedupeStore>().TryClaimAsync(signal.SignalId, TimeSpan.FromMinutes(5), default));
        Assert.True(await db.Get<IDecisionStore>().TryAddAsync(TestData.Decision(signal), default));

        var entry = (await db.Get<HealthCheckService>().CheckHealthAsync(default)).Entries["store"];
        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Contains(":memory:", entry.Description, StringComparison.Ordinal);
        Assert.Contains("1 signals, 1 decisions", entry.Description, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(db.Folder, "data")));
    }
}
