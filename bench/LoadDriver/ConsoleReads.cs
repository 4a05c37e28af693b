using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

/// <summary>The console's read benchmark: a store seeded with many decisions, then GET /symbols and GET /decisions timed one by one.</summary>
internal static class ConsoleReads
{
    private static readonly string[] Timeframes = ["5", "15", "60", "240"];

    public static async Task<int> SeedAsync(HttpClient http, Options options, Report report)
    {
        var symbols = int.Parse(options.Get("symbols", "100"), CultureInfo.InvariantCulture);
        var total = int.Parse(options.Get("decisions", "100000"), CultureInfo.InvariantCulture);
        var concurrency = int.Parse(options.Get("concurrency", "16"), CultureInfo.InvariantCulture);
        var passphrase = options.Get("passphrase", "bench-passphrase");
        var run = Guid.NewGuid().ToString("N")[..8];
        var next = -1;
        var refused = 0;
        var clock = Stopwatch.StartNew();

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < total)
            {
                var body = string.Create(
                    CultureInfo.InvariantCulture,
                    $$"""{"symbol":"SYM{{i % symbols:D3}}","action":"{{(i / symbols % 3 == 0 ? "sell" : "buy")}}","timeframe":"{{Timeframes[i / symbols % Timeframes.Length]}}","price":{{100 + (i % 997) / 10.0}},"confidence":{{50 + (i % 50)}},"id":"seed-{{run}}-{{i}}","passphrase":"{{passphrase}}"}""");
                using var response = await http.PostAsync("/webhook", new StringContent(body, Encoding.UTF8, "application/json"));
                if ((int)response.StatusCode != 202)
                {
                    Interlocked.Increment(ref refused);
                }
            }
        }));
        var posted = clock.Elapsed.TotalSeconds;

        // Decided when the counters say so: GET /stats adds the serving process's own counts first.
        long decided = 0;
        while (clock.Elapsed < TimeSpan.FromMinutes(20))
        {
            using var stats = JsonDocument.Parse(await http.GetStringAsync("/stats"));
            decided = stats.RootElement.GetProperty("decisions").GetInt64();
            if (decided >= total - refused)
            {
                break;
            }

            await Task.Delay(1000);
        }

        report.Add("mode", "seed");
        report.Add("symbols", symbols);
        report.Add("posted", total);
        report.Add("refused", refused);
        report.Add("post_seconds", Math.Round(posted, 1));
        report.Add("decided", decided);
        report.Add("decided_seconds", Math.Round(clock.Elapsed.TotalSeconds, 1));
        return refused == 0 && decided >= total ? 0 : 1;
    }

    public static async Task<int> ReadsAsync(HttpClient http, Options options, Report report)
    {
        var requests = int.Parse(options.Get("requests", "2000"), CultureInfo.InvariantCulture);
        var warmup = int.Parse(options.Get("warmup", "200"), CultureInfo.InvariantCulture);
        var paths = options.Get("paths", "/symbols,/decisions?limit=50").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        report.Add("mode", "reads");
        report.Add("requests_per_path", requests);
        foreach (var path in paths)
        {
            var bytes = 0L;
            for (var i = 0; i < warmup; i++)
            {
                bytes = (await http.GetByteArrayAsync(path)).LongLength;
            }

            // Timed to the answer's last byte, read into one buffer used again: buffering each answer whole (100 KB and
            // more) would put it on this process's large object heap, and its collections would be timed as the server's.
            var buffer = new byte[64 * 1024];
            var latencies = new double[requests];
            for (var i = 0; i < requests; i++)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
                response.EnsureSuccessStatusCode();
                await using var body = await response.Content.ReadAsStreamAsync();
                while (await body.ReadAsync(buffer) > 0)
                {
                }

                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }

            Array.Sort(latencies);
            double At(double q) => Math.Round(latencies[Math.Min(requests - 1, (int)Math.Ceiling(q * requests) - 1)], 3);
            var key = path.Replace("/", "_", StringComparison.Ordinal).Trim('_');
            report.Add($"{key}.bytes", bytes);
            report.Add($"{key}.p50_ms", At(0.50));
            report.Add($"{key}.p90_ms", At(0.90));
            report.Add($"{key}.p99_ms", At(0.99));
            report.Add($"{key}.max_ms", Math.Round(latencies[^1], 3));
        }

        return 0;
    }
}
