using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

// LoadDriver: the parts of scripts/loadtest.sh that wrk cannot do.
//
//   rate    --url U --rate 1000 --duration 60 [--warmup 0] [--passphrase P] [--api-key K] [--drain-seconds 60] [--out F]
//           Sends the same alert mix as bench/loadtest/alerts.lua at a fixed rate (open loop: latency is
//           measured from each request's scheduled time, so a stall is not hidden), waits for every answer,
//           then checks every 202 signal id: stored (GET /signals/{id}), decided (GET /decisions/{id}),
//           and the store holds exactly as many signals and decisions as there were 202s. Reports the
//           HTTP latency and, from each decision's latencyMs, webhook receipt → decision.
//
//   verify  --url U --accepted N --in-flight M --samples-file F (ids, space-separated) [--api-key K] [--out F]
//           After a wrk run (which cannot see every id): waits for the engine to drain, then checks the
//           store's totals against the 202 count and each sampled id individually.
//
//   Both: with --dynamodb-url U --signals-table T --decisions-table T (--backends local), the store's totals are
//   counted in DynamoDB (Scan, Select COUNT; decisions = items whose decisionId starts with dec_, since the risk
//   ledger shares that table) instead of read from the embedded store's /health detail.
//
//   seed    --url U --symbols 100 --decisions 100000 [--passphrase P] [--api-key K] [--concurrency 16] [--out F]
//           Posts that many unique alerts (an id each) over the symbols and four timeframes, then waits until the
//           engine has decided them all (GET /stats). For the console's read benchmark.
//
//   reads   --url U --api-key K [--requests 2000] [--warmup 200] [--paths "/symbols,/decisions?limit=50"] [--out F]
//           Each path in turn, one request at a time (closed loop, one connection): p50, p90, p99, max latency.
//   receive --port P [--idle-seconds 15] [--out F] [--hang true]
//           A loopback webhook destination for scripts/notify-bench.sh: answers every POST 200 and records, for each
//           event, the time from its occurredAt (the decision's time, same machine clock) to its arrival here; stops
//           after --idle-seconds without a request once the first came, and reports the count and percentiles.
//           With --hang true it is a dead destination instead: it takes every request and never answers, until killed.
//
// Exit code 0 when nothing was lost, 1 when something was, 2 on a usage or connection error.
return args is ["receive", ..] ? await NotifyReceiver.RunAsync(Options.Parse(args[1..])) : await Cli.RunAsync(args);

internal static partial class Cli
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("rate" or "verify" or "seed" or "reads"))
        {
            Console.Error.WriteLine("usage: LoadDriver rate|verify|seed|reads --url http://127.0.0.1:PORT [options] (see Program.cs)");
            return 2;
        }

        var options = Options.Parse(args[1..]);
        using var http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 256,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseProxy = false,
        })
        {
            BaseAddress = new Uri(options.Get("url", "http://127.0.0.1:5880")),
            Timeout = TimeSpan.FromSeconds(10),
        };
        if (options.Get("api-key", string.Empty) is { Length: > 0 } key)
        {
            http.DefaultRequestHeaders.Add("X-Api-Key", key);
        }

        var report = new Report(options.Get("out", string.Empty));
        Totals = DynamoTotals.From(options) is { } dynamo ? dynamo.CountAsync : null;
        try
        {
            return args[0] switch
            {
                "rate" => await RateAsync(http, options, report),
                "seed" => await ConsoleReads.SeedAsync(http, options, report),
                "reads" => await ConsoleReads.ReadsAsync(http, options, report),
                _ => await VerifyAsync(http, options, report),
            };
        }
        catch (HttpRequestException ex)
        {
            Console.Error.WriteLine($"LoadDriver: {ex.Message}");
            return 2;
        }
        finally
        {
            report.Flush();
        }
    }

    private static async Task<int> RateAsync(HttpClient http, Options options, Report report)
    {
        var rate = int.Parse(options.Get("rate", "1000"), CultureInfo.InvariantCulture);
        var duration = int.Parse(options.Get("duration", "60"), CultureInfo.InvariantCulture);

        // Sent at the same rate before the measured seconds, on the same process; their figures are reported apart.
        var warmup = int.Parse(options.Get("warmup", "0"), CultureInfo.InvariantCulture);
        var mix = new AlertMix(options.Get("passphrase", "bench-passphrase"), seed: 42);
        var total = rate * (warmup + duration);

        var statuses = new int[total];
        var ids = new string?[total];
        var latencies = new double[total];
        var service = new double[total];
        var tasks = new Task[total];
        var ticksPerRequest = (double)Stopwatch.Frequency / rate;

        Console.Error.WriteLine($"LoadDriver: {rate} alerts/s for {warmup} s of warm-up and {duration} s measured ({total} requests)");
        var start = Stopwatch.GetTimestamp();
        var next = 0;
        while (next < total)
        {
            var elapsed = Stopwatch.GetTimestamp() - start;
            var due = Math.Min(total, (int)(elapsed / ticksPerRequest) + 1);
            for (; next < due; next++)
            {
                var i = next;
                var scheduled = start + (long)(i * ticksPerRequest);
                var (body, contentType) = mix.Next();
                tasks[i] = SendAsync(http, body, contentType, scheduled, i, statuses, ids, latencies, service);
            }

            await Task.Delay(1);
        }

        var sendSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        await Task.WhenAll(tasks);

        var accepted = new List<string>();
        var byStatus = new SortedDictionary<int, int>();
        for (var i = 0; i < total; i++)
        {
            byStatus[statuses[i]] = byStatus.GetValueOrDefault(statuses[i]) + 1;
            if (statuses[i] == 202)
            {
                accepted.Add(ids[i]!);
            }
        }

        var acceptedSet = accepted.ToHashSet(StringComparer.Ordinal);
        var duplicatesOfUnknown = 0;
        for (var i = 0; i < total; i++)
        {
            if (statuses[i] == 200 && (ids[i] is null || !acceptedSet.Contains(ids[i]!)))
            {
                duplicatesOfUnknown++;
            }
        }

        report.Add("mode", "rate");
        report.Add("target_rate", rate);
        report.Add("sent", total);
        report.Add("achieved_rate", Math.Round(total / sendSeconds, 1));
        foreach (var (status, count) in byStatus)
        {
            report.Add(status == 0 ? "s_socket_error" : $"s{status}", count);
        }

        // The same for the measured seconds only, after the warm-up (a fresh app spends its first seconds compiling its
        // hot paths: tiered JIT).
        var warm = Math.Min(total - 1, rate * warmup);
        var steady = service[warm..];
        Array.Sort(steady);
        report.Add("steady_service_p50_ms", Percentile(steady, 50));
        report.Add("steady_service_p99_ms", Percentile(steady, 99));
        report.Add("steady_service_p999_ms", Percentile(steady, 99.9));

        Array.Sort(latencies);
        report.Add("http_p50_ms", Percentile(latencies, 50));
        report.Add("http_p99_ms", Percentile(latencies, 99));
        report.Add("http_max_ms", Math.Round(latencies[^1], 3));

        // From the moment the request was handed to HttpClient: without the driver's own pacing lag (Task.Delay ticks ~1 ms).
        Array.Sort(service);
        report.Add("service_p50_ms", Percentile(service, 50));
        report.Add("service_p99_ms", Percentile(service, 99));
        report.Add("service_max_ms", Math.Round(service[^1], 3));
        report.Add("accepted", accepted.Count);
        report.Add("accepted_unique", acceptedSet.Count);
        report.Add("duplicate_answers_without_accepted_original", duplicatesOfUnknown);

        var drainWait = TimeSpan.FromSeconds(int.Parse(options.Get("drain-seconds", "60"), CultureInfo.InvariantCulture));
        var drained = await WaitForDrainAsync(http, expectedAtLeast: accepted.Count, drainWait);
        var check = await CheckIdsAsync(http, accepted, TimeSpan.FromSeconds(30));
        report.Add("store_signals", drained?.Signals ?? -1);
        report.Add("store_decisions", drained?.Decisions ?? -1);
        report.Add("signals_missing", check.MissingSignals);
        report.Add("decisions_missing", check.MissingDecisions);
        report.Add("decision_latency_p50_ms", Percentile(check.DecisionLatencies, 50));
        report.Add("decision_latency_p99_ms", Percentile(check.DecisionLatencies, 99));
        report.Add("decision_latency_max_ms", check.DecisionLatencies.Length == 0 ? double.NaN : check.DecisionLatencies[^1]);

        // The same for the alerts of the measured seconds, as for the HTTP latency above.
        var decided = Enumerable.Range(0, total)
            .Where(i => statuses[i] == 202 && check.LatencyById.ContainsKey(ids[i]!))
            .Select(i => (Request: i, LatencyMs: check.LatencyById[ids[i]!]))
            .ToList();
        var steadyDecisions = decided.Where(d => d.Request >= warm).Select(d => d.LatencyMs).ToArray();
        if (options.Get("latencies-out", string.Empty) is { Length: > 0 } latenciesOut)
        {
            // Each accepted alert's send second and its webhook → decision latency, to see when a tail happened.
            File.WriteAllLines(latenciesOut, decided.Select(d => string.Create(CultureInfo.InvariantCulture, $"{(double)d.Request / rate:F3} {d.LatencyMs:F3}")));
        }

        Array.Sort(steadyDecisions);
        report.Add("steady_decision_latency_p50_ms", Percentile(steadyDecisions, 50));
        report.Add("steady_decision_latency_p99_ms", Percentile(steadyDecisions, 99));
        report.Add("steady_decision_latency_max_ms", steadyDecisions.Length == 0 ? double.NaN : steadyDecisions[^1]);

        // Lost: a 202 whose signal is not stored or not decided (within the wait), one signal id answered 202 twice,
        // or a store holding fewer signals than there were 202s. A store holding more is not a loss: requests the
        // driver gave up on (socket errors: its 10 s timeout) may still have been accepted by the app.
        var socketErrors = byStatus.GetValueOrDefault(0);
        var fewerStored = drained is null ? 0 : Math.Max(0, acceptedSet.Count - drained.Value.Signals);
        var extraStored = drained is null ? 0 : Math.Max(0, drained.Value.Signals - acceptedSet.Count);
        report.Add("stored_without_a_202_seen", extraStored);
        report.Add("unexplained_extra_signals", Math.Max(0, extraStored - socketErrors));
        var lost = check.MissingSignals + check.MissingDecisions + (accepted.Count - acceptedSet.Count) + fewerStored;
        report.Add("lost", lost);
        return lost == 0 ? 0 : 1;
    }

    private static async Task SendAsync(
        HttpClient http, string body, string contentType, long scheduled, int i, int[] statuses, string?[] ids, double[] latencies, double[] service)
    {
        var sent = Stopwatch.GetTimestamp();
        try
        {
            using var content = new StringContent(body, Encoding.UTF8);
            content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
            using var response = await http.PostAsync("/webhook", content);
            var text = await response.Content.ReadAsStringAsync();
            statuses[i] = (int)response.StatusCode;
            if (response.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.OK)
            {
                ids[i] = SignalIdPattern().Match(text) is { Success: true } m ? m.Groups[1].Value : null;
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            statuses[i] = 0;
        }
        finally
        {
            latencies[i] = Stopwatch.GetElapsedTime(scheduled).TotalMilliseconds;
            service[i] = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
        }
    }

    private static async Task<int> VerifyAsync(HttpClient http, Options options, Report report)
    {
        var accepted = long.Parse(options.Get("accepted", "0"), CultureInfo.InvariantCulture);
        var inFlight = long.Parse(options.Get("in-flight", "0"), CultureInfo.InvariantCulture);
        var samplesFile = options.Get("samples-file", string.Empty);
        var samples = (samplesFile.Length > 0 ? File.ReadAllText(samplesFile) : options.Get("samples", string.Empty))
            .Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries);

        var drained = await WaitForDrainAsync(http, accepted, TimeSpan.FromSeconds(int.Parse(options.Get("drain-seconds", "120"), CultureInfo.InvariantCulture)));
        var check = await CheckIdsAsync(http, samples, TimeSpan.FromSeconds(30));

        report.Add("mode", "verify");
        report.Add("accepted", accepted);
        report.Add("in_flight_at_stop", inFlight);
        report.Add("store_signals", drained?.Signals ?? -1);
        report.Add("store_decisions", drained?.Decisions ?? -1);
        report.Add("samples_checked", samples.Length);
        report.Add("samples_missing_signal", check.MissingSignals);
        report.Add("samples_missing_decision", check.MissingDecisions);
        report.Add("sample_decision_latency_p50_ms", Percentile(check.DecisionLatencies, 50));
        report.Add("sample_decision_latency_p99_ms", Percentile(check.DecisionLatencies, 99));

        // A 202 the store does not hold is lost. The store may hold up to in-flight more: requests wrk had sent
        // when its clock ran out, answered by the app after wrk stopped listening.
        long lost = check.MissingSignals + check.MissingDecisions;
        if (drained is { } totals)
        {
            // Every stored signal decided (the drain wait ended with decisions == signals), and none fewer than 202s.
            lost += Math.Max(0, accepted - totals.Signals) + Math.Max(0, totals.Signals - totals.Decisions);
            report.Add("unexplained_extra_signals", Math.Max(0, totals.Signals - accepted - inFlight));
        }

        report.Add("lost", lost);
        return lost == 0 ? 0 : 1;
    }

    /// <summary>Counts the store's signals and decisions when /health cannot (a real backend).</summary>
    private static Func<Task<StoreTotals>>? Totals { get; set; }

    /// <summary>Polls /health until the engine has decided every stored signal and the bus is empty.</summary>
    private static async Task<StoreTotals?> WaitForDrainAsync(HttpClient http, long expectedAtLeast, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        StoreTotals? last = null;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var health = await http.GetStringAsync("/health");
            var store = StoreDetail().Match(health);
            var backlog = BacklogDetail().Match(health);
            if (Totals is not null)
            {
                last = await Totals();
            }
            else if (store.Success)
            {
                last = new StoreTotals(long.Parse(store.Groups[1].Value, CultureInfo.InvariantCulture), long.Parse(store.Groups[2].Value, CultureInfo.InvariantCulture));
            }
            else
            {
                Console.Error.WriteLine("LoadDriver: /health has no store totals; relying on per-id checks only");
                return null;
            }

            var empty = !backlog.Success || backlog.Groups[1].Value == "0";
            if (empty && last.Value.Decisions == last.Value.Signals && last.Value.Signals >= expectedAtLeast)
            {
                return last;
            }

            await Task.Delay(Totals is null ? 250 : 2000);
        }

        Console.Error.WriteLine($"LoadDriver: engine did not drain within {timeout.TotalSeconds:0} s (last: {last})");
        return last;
    }

    private static async Task<IdCheck> CheckIdsAsync(HttpClient http, IReadOnlyList<string> ids, TimeSpan decisionWait)
    {
        var missingSignals = 0;
        var missingDecisions = 0;
        var latencies = new ConcurrentBag<(string Id, double Ms)>();
        var deadline = Stopwatch.GetTimestamp() + (long)(decisionWait.TotalSeconds * Stopwatch.Frequency);
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (id, ct) =>
        {
            using (var signal = await http.GetAsync($"/signals/{id}", ct))
            {
                var text = await signal.Content.ReadAsStringAsync(ct);
                if (signal.StatusCode != HttpStatusCode.OK || !text.Contains(id, StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref missingSignals);
                }
            }

            while (true)
            {
                using var decision = await http.GetAsync($"/decisions/{id}", ct);
                if (decision.StatusCode == HttpStatusCode.OK)
                {
                    using var doc = JsonDocument.Parse(await decision.Content.ReadAsStringAsync(ct));
                    if (doc.RootElement.GetProperty("signalId").GetString() != id)
                    {
                        Interlocked.Increment(ref missingDecisions);
                    }

                    latencies.Add((id, doc.RootElement.GetProperty("latencyMs").GetDouble()));
                    return;
                }

                if (Stopwatch.GetTimestamp() > deadline)
                {
                    Interlocked.Increment(ref missingDecisions);
                    return;
                }

                await Task.Delay(100, ct);
            }
        });

        var sorted = latencies.Select(l => l.Ms).ToArray();
        Array.Sort(sorted);
        return new IdCheck(missingSignals, missingDecisions, sorted, latencies.ToDictionary(l => l.Id, l => l.Ms, StringComparer.Ordinal));
    }

    private static double Percentile(double[] sorted, double p)
    {
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Length) - 1;
        return Math.Round(sorted[Math.Clamp(rank, 0, sorted.Length - 1)], 3);
    }

    [GeneratedRegex("\"signalId\"\\s*:\\s*\"(sig_[0-9a-f]+)\"")]
    private static partial Regex SignalIdPattern();

    [GeneratedRegex("(\\d+) signals, (\\d+) decisions")]
    private static partial Regex StoreDetail();

    [GeneratedRegex("backlog (\\d+)/")]
    private static partial Regex BacklogDetail();

    internal readonly record struct StoreTotals(long Signals, long Decisions);

    /// <param name="MissingSignals">Accepted ids the store does not have.</param>
    /// <param name="MissingDecisions">Accepted ids with no decision within the wait.</param>
    /// <param name="DecisionLatencies">Every decision's webhook → decision latency, sorted.</param>
    /// <param name="LatencyById">The same by signal id.</param>
    private sealed record IdCheck(int MissingSignals, int MissingDecisions, double[] DecisionLatencies, IReadOnlyDictionary<string, double> LatencyById);
}

/// <summary>The alert mix of bench/loadtest/alerts.lua, so the fixed-rate phase sends what wrk sends.</summary>
internal sealed class AlertMix(string passphrase, int seed)
{
    private static readonly string[] Symbols =
    [
        "BINANCE:BTCUSDT", "BINANCE:ETHUSDT", "BINANCE:SOLUSDT", "BINANCE:BNBUSDT", "BINANCE:XRPUSDT",
        "BINANCE:ADAUSDT", "BINANCE:DOGEUSDT", "BINANCE:AVAXUSDT", "BINANCE:LINKUSDT", "BINANCE:DOTUSDT",
        "BYBIT:BTCUSDT.P", "BYBIT:ETHUSDT.P", "COINBASE:BTCUSD", "COINBASE:ETHUSD", "KRAKEN:XBTUSD",
        "BTCUSDT", "ETHUSDT", "LTCUSDT", "MATICUSDT", "ATOMUSDT",
        "CME_MINI:ES1!", "CME_MINI:NQ1!", "CBOT:ZN1!", "NYMEX:CL1!", "COMEX:GC1!",
        "ES1!", "NQ1!", "RTY1!", "YM1!", "SI1!",
        "NASDAQ:AAPL", "NASDAQ:MSFT", "NASDAQ:NVDA", "NASDAQ:AMZN", "NASDAQ:META",
        "NASDAQ:TSLA", "NASDAQ:GOOGL", "NYSE:JPM", "NYSE:XOM", "AMEX:SPY",
        "FX:EURUSD", "FX:GBPUSD", "FX:USDJPY", "OANDA:XAUUSD", "OANDA:AUDUSD",
        "EUR/USD", "GBP/JPY", "USD/CHF", "TVC:DXY", "TVC:VIX",
        "BRK.B", "BF.B", "SPX500_USD", "NAS100-USD", "US30",
        "BINANCE:PEPEUSDT", "BINANCE:ARBUSDT", "BINANCE:OPUSDT", "BINANCE:INJUSDT", "BINANCE:TIAUSDT",
    ];

    private static readonly string[] Timeframes = ["1", "5", "15", "30", "60", "240", "D", "1D", "W", "30S", "1h", "4h", "15m", "1W"];
    private static readonly string[] Actions = ["buy", "sell", "long", "short", "buy", "sell", "close", "exit"];

    // The passphrase is checked before the rules, so bad payloads carry the right one to reach the rules ("@P@").
    private static readonly string[] BadTemplates =
    [
        """{"symbol":"BTCUSDT","action":"buy","timeframe":"15","passphrase":"@P@"}""",
        """{"symbol":"BTCUSDT","action":"hold","timeframe":"15","price":100,"passphrase":"@P@"}""",
        """{"symbol":"BTCUSDT","action":"buy","timeframe":"7X","price":100,"passphrase":"@P@"}""",
        """{"symbol":"BTCUSDT","action":"buy","timeframe":"15","price":-5,"passphrase":"@P@"}""",
        """{"symbol":"BTCUSDT","action":"buy","timeframe":"15","price":100,"confidence":150,"passphrase":"@P@"}""",
        """{"symbol":"BTC USDT","action":"buy","timeframe":"15","price":100,"passphrase":"@P@"}""",
        """{"symbol":"BTCUSDT","action":"buy","timeframe":"15","price":""",
        "{{strategy.order.action}} BTCUSDT @ {{close}}",
        string.Empty,
    ];

    private const string Json = "application/json";
    private const string Text = "text/plain; charset=utf-8";

    private readonly Random _random = new(seed);
    private readonly string[] _badBodies = [.. BadTemplates.Select(t => t.Replace("@P@", passphrase, StringComparison.Ordinal))];
    private readonly string _run = Guid.NewGuid().ToString("N")[..6];
    private int _counter;
    private string? _lastValid;

    public (string Body, string ContentType) Next()
    {
        _counter++;
        var r = _counter % 100;
        if (r < 4 && _lastValid is not null)
        {
            return (_lastValid, Json);
        }

        if (r < 7)
        {
            return (_badBodies[_counter % _badBodies.Length], Json);
        }

        if (r == 7)
        {
            return ($$"""{"symbol":"BTCUSDT","action":"buy","timeframe":"15","price":100.{{_counter}},"passphrase":"wrong"}""", Json);
        }

        _lastValid = ValidBody();
        return (_lastValid, r == 8 ? Text : Json);
    }

    private string ValidBody()
    {
        var symbol = Symbols[_random.Next(Symbols.Length)];
        var tf = Timeframes[_random.Next(Timeframes.Length)];
        var action = Actions[_random.Next(Actions.Length)];
        var confidence = 40 + _random.Next(61);
        // A realistic price whose decimals are unique in the run, so alerts without id/time are distinct signals.
        var price = string.Create(CultureInfo.InvariantCulture, $"{20 + _random.Next(60000)}.{_counter:D7}9");
        if (_random.Next(10) < 7)
        {
            var now = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            return $$"""{"symbol":"{{symbol}}","action":"{{action}}","timeframe":"{{tf}}","price":{{price}},"confidence":{{confidence}},"passphrase":"{{passphrase}}","time":"{{now}}","id":"r{{_run}}-{{_counter}}","comment":"fixed-rate load"}""";
        }

        var timeframe = tf.All(char.IsAsciiDigit) ? tf : $"\"{tf}\"";
        return $$"""{"symbol":"{{symbol}}","action":"{{action}}","timeframe":{{timeframe}},"price":"{{price}}","confidence":{{confidence}},"secret":"{{passphrase}}"}""";
    }
}

/// <summary>Counts signals and decisions in DynamoDB (dynalite for --backends local).</summary>
internal sealed class DynamoTotals(Amazon.DynamoDBv2.AmazonDynamoDBClient client, string signalsTable, string decisionsTable)
{
    public static DynamoTotals? From(Options options)
    {
        var url = options.Get("dynamodb-url", string.Empty);
        if (url.Length == 0)
        {
            return null;
        }

        var config = new Amazon.DynamoDBv2.AmazonDynamoDBConfig { ServiceURL = url, AuthenticationRegion = "us-east-1" };
        var client = new Amazon.DynamoDBv2.AmazonDynamoDBClient(new Amazon.Runtime.BasicAWSCredentials("local", "local"), config);
        return new DynamoTotals(client, options.Get("signals-table", "kyperian-local-signals"), options.Get("decisions-table", "kyperian-local-decisions"));
    }

    public async Task<Cli.StoreTotals> CountAsync() =>
        new(await CountAsync(signalsTable, null), await CountAsync(decisionsTable, "dec_"));

    private async Task<long> CountAsync(string table, string? keyPrefix)
    {
        long count = 0;
        Dictionary<string, Amazon.DynamoDBv2.Model.AttributeValue>? start = null;
        do
        {
            var request = new Amazon.DynamoDBv2.Model.ScanRequest { TableName = table, Select = Amazon.DynamoDBv2.Select.COUNT, ExclusiveStartKey = start };
            if (keyPrefix is not null)
            {
                request.FilterExpression = "begins_with(decisionId, :p)";
                request.ExpressionAttributeValues = new() { [":p"] = new Amazon.DynamoDBv2.Model.AttributeValue { S = keyPrefix } };
            }

            var page = await client.ScanAsync(request);
            count += page.Count ?? 0;
            start = page.LastEvaluatedKey is { Count: > 0 } next ? next : null;
        }
        while (start is not null);
        return count;
    }
}

internal sealed class Options
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public static Options Parse(string[] args)
    {
        var options = new Options();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length)
            {
                options._values[args[i][2..]] = args[++i];
            }
        }

        return options;
    }

    public string Get(string name, string fallback) => _values.TryGetValue(name, out var value) ? value : fallback;
}

/// <summary>key=value lines, to stdout and optionally a file the shell script reads.</summary>
internal sealed class Report(string path)
{
    private readonly StringBuilder _text = new();

    public void Add(string key, object value) =>
        _text.Append(key).Append('=').Append(Convert.ToString(value, CultureInfo.InvariantCulture)).Append('\n');

    public void Flush()
    {
        Console.Write(_text.ToString());
        if (path.Length > 0)
        {
            File.WriteAllText(path, _text.ToString());
        }
    }
}

/// <summary>The receiving end of scripts/notify-bench.sh: decision → notification delivered, measured on arrival.</summary>
internal static class NotifyReceiver
{
    public static async Task<int> RunAsync(Options options)
    {
        var port = int.Parse(options.Get("port", "5891"), CultureInfo.InvariantCulture);
        var idle = TimeSpan.FromSeconds(int.Parse(options.Get("idle-seconds", "15"), CultureInfo.InvariantCulture));
        var hang = options.Get("hang", "false") == "true";
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        Console.Error.WriteLine($"LoadDriver: receiving on port {port}");

        var delays = new ConcurrentBag<double>();
        var ids = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var lastTicks = DateTime.UtcNow.Ticks;
        var first = false;
        using var stop = new CancellationTokenSource();
        var watch = Task.Run(async () =>
        {
            while (!Volatile.Read(ref first) || DateTime.UtcNow.Ticks - Interlocked.Read(ref lastTicks) < idle.Ticks)
            {
                await Task.Delay(250);
            }

            await stop.CancelAsync();
            listener.Stop();
        });

        while (!stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                break;
            }

            if (hang)
            {
                // Taken, never answered: the sender waits for its attempt timeout.
                continue;
            }

            Volatile.Write(ref first, true);
            Interlocked.Exchange(ref lastTicks, DateTime.UtcNow.Ticks);
            _ = Task.Run(async () =>
            {
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                var arrived = DateTimeOffset.UtcNow;
                try
                {
                    using var json = JsonDocument.Parse(body.ToArray());
                    var occurred = json.RootElement.GetProperty("occurredAt").GetDateTimeOffset();
                    var id = context.Request.Headers["X-Kyperian-Delivery"] ?? "";
                    if (ids.AddOrUpdate(id, 1, static (_, n) => n + 1) == 1)
                    {
                        delays.Add((arrived - occurred).TotalMilliseconds);
                    }
                }
                catch (JsonException)
                {
                }

                context.Response.StatusCode = 200;
                context.Response.Close();
            });
        }

        await watch;
        var sorted = delays.Order().ToArray();
        var report = new Report(options.Get("out", string.Empty));
        report.Add("mode", "receive");
        report.Add("events", sorted.Length);
        report.Add("repeats", ids.Values.Sum() - ids.Count);
        if (sorted.Length > 0)
        {
            double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
            report.Add("delay_p50_ms", Math.Round(At(0.50), 2));
            report.Add("delay_p90_ms", Math.Round(At(0.90), 2));
            report.Add("delay_p99_ms", Math.Round(At(0.99), 2));
            report.Add("delay_p999_ms", Math.Round(At(0.999), 2));
            report.Add("delay_max_ms", Math.Round(sorted[^1], 2));
        }

        report.Flush();
        return 0;
    }
}
