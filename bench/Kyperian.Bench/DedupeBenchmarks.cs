using BenchmarkDotNet.Attributes;
using Kyperian.Api.Infrastructure.Embedded;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Kyperian.Bench;

/// <summary>
/// The webhook's replay check on the embedded backend (SqliteDedupeStore.TryClaimAsync, on a database file) with many
/// live claims: at 1,000+ alerts/s a 300 s dedupe window holds 300,000+ claims, so the cost of one claim must not
/// grow with how many are held.
/// </summary>
[MemoryDiagnoser]
public class DedupeBenchmarks
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(300);

    private string _folder = "";
    private EmbeddedDatabase _database = null!;
    private SqliteDedupeStore _state = null!;
    private string[] _ids = [];
    private int _next;

    [Params(10_000, 150_000)]
    public int LiveClaims { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "kyperian-bench-" + Guid.NewGuid().ToString("N"));
        _database = new EmbeddedDatabase(
            Options.Create(new EmbeddedOptions { Path = Path.Combine(_folder, "kyperian.db") }),
            NullLogger<EmbeddedDatabase>.Instance);
        _state = new SqliteDedupeStore(_database, new FixedTimeProvider(new DateTimeOffset(2026, 11, 28, 14, 30, 0, TimeSpan.Zero)));
        for (var i = 0; i < LiveClaims; i++)
        {
            _state.TryClaimAsync($"sig_live{i:x20}", Window, CancellationToken.None).GetAwaiter().GetResult();
        }

        _ids = [.. Enumerable.Range(0, 1024).Select(i => $"sig_new{i:x21}")];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _database.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>Claims a new id and releases it again, so the number of live claims stays at <see cref="LiveClaims"/>.</summary>
    [Benchmark(Description = "TryClaimAsync new id (+ ReleaseAsync)")]
    public bool ClaimNew()
    {
        var id = _ids[_next++ & 1023];
        var claimed = _state.TryClaimAsync(id, Window, CancellationToken.None).GetAwaiter().GetResult();
        _state.ReleaseAsync(id, CancellationToken.None).GetAwaiter().GetResult();
        return claimed;
    }
}
