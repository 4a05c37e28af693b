using System.Runtime.CompilerServices;
using Kyperian.Api.Application.Risk;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Risk;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Application.Monitoring;

public enum LiveEventKind
{
    Decision,

    /// <summary>The account's risk state changed (P&amp;L, a breach, a halt, a new trading day) or the limits did.</summary>
    Risk,

    /// <summary>A loss warning or breach, a halt or a resume, as the engine and the operators recorded it.</summary>
    RiskEvent,

    Health,

    /// <summary>Nothing happened for a while: a proxy in between must not take the stream for dead.</summary>
    KeepAlive,
}

/// <summary>The health report in brief: the overall status and each check's.</summary>
public sealed record HealthSnapshot(string Status, IReadOnlyDictionary<string, string> Checks);

/// <summary>
/// One event of the console's live feed; exactly the members its <see cref="Kind"/> names are set (a risk state comes
/// with the settings whose limits it is measured against).
/// </summary>
public sealed record LiveEvent(
    LiveEventKind Kind,
    Decision? Decision = null,
    RiskState? Risk = null,
    EngineSettings? Settings = null,
    RiskEvent? RiskEvent = null,
    HealthSnapshot? Health = null);

/// <summary>
/// The console's live feed: new decisions, a changed risk state, new risk events, a changed health status. It reads
/// the stores (every <see cref="ConsoleOptions.PollMilliseconds"/>) rather than listening inside the engine, so it sees
/// the decisions and risk events of every engine process, whichever role serves it.
/// </summary>
public sealed class LiveEvents(
    IDecisionHistory history,
    RiskDesk risk,
    IRiskEventLog riskEvents,
    HealthCheckService health,
    IOptions<ConsoleOptions> options,
    TimeProvider time)
{
    /// <summary>A decision stored this much later than a newer one still shows: commits of parallel lanes may cross.</summary>
    public static readonly TimeSpan Overlap = TimeSpan.FromSeconds(5);

    private const int MaxPerPoll = DecisionQuery.MaxLimit;

    /// <summary>Risk events are rare: the newest this many are read on each poll.</summary>
    private const int RiskEventsPerPoll = 20;

    private static readonly TimeSpan KeepAliveEvery = TimeSpan.FromSeconds(15);

    /// <param name="since">
    /// The last decision the client has; null: only decisions from now on. Risk events are sent from its time on (from
    /// now on without it), each once per feed: a client that polls with the same decision gets a risk event again, and
    /// knows it by its id.
    /// </param>
    /// <param name="once">One pass (what is new, the risk state, the health), then the feed ends.</param>
    /// <param name="cancellationToken">Ends the feed.</param>
    public async IAsyncEnumerable<LiveEvent> ReadAsync(DecisionPosition? since, bool once, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var console = options.Value;
        var poll = TimeSpan.FromMilliseconds(Math.Max(50, console.PollMilliseconds));
        var healthEvery = TimeSpan.FromSeconds(Math.Max(1, console.HealthCheckSeconds));

        var tail = new DecisionTail(since ?? await NewestAsync(cancellationToken));
        var riskTail = new RiskEventTail(since?.DecidedAt ?? time.GetUtcNow());
        (RiskState Risk, long SettingsVersion)? lastRisk = null;
        HealthSnapshot? lastHealth = null;
        var healthDue = time.GetUtcNow();
        var quietSince = time.GetUtcNow();
        while (true)
        {
            foreach (var decision in await tail.NewAsync(history, cancellationToken))
            {
                quietSince = time.GetUtcNow();
                yield return new LiveEvent(LiveEventKind.Decision, Decision: decision);
            }

            var (riskNow, settings) = await risk.GetAsync(cancellationToken);
            if (lastRisk != (riskNow, settings.Version))
            {
                lastRisk = (riskNow, settings.Version);
                quietSince = time.GetUtcNow();
                yield return new LiveEvent(LiveEventKind.Risk, Risk: riskNow, Settings: settings);
            }

            foreach (var riskEvent in riskTail.New(await riskEvents.ListAsync(RiskEventsPerPoll, cancellationToken)))
            {
                quietSince = time.GetUtcNow();
                yield return new LiveEvent(LiveEventKind.RiskEvent, RiskEvent: riskEvent);
            }

            if (time.GetUtcNow() >= healthDue)
            {
                healthDue = time.GetUtcNow() + healthEvery;
                var healthNow = await HealthAsync(cancellationToken);
                if (lastHealth is null || !SameHealth(lastHealth, healthNow))
                {
                    lastHealth = healthNow;
                    quietSince = time.GetUtcNow();
                    yield return new LiveEvent(LiveEventKind.Health, Health: healthNow);
                }
            }

            if (once)
            {
                yield break;
            }

            if (time.GetUtcNow() - quietSince >= KeepAliveEvery)
            {
                quietSince = time.GetUtcNow();
                yield return new LiveEvent(LiveEventKind.KeepAlive);
            }

            await Task.Delay(poll, time, cancellationToken);
        }
    }

    private async Task<DecisionPosition?> NewestAsync(CancellationToken cancellationToken)
    {
        var newest = await history.QueryAsync(new DecisionQuery { Limit = 1 }, cancellationToken);
        return newest.Decisions.Count > 0 ? DecisionPosition.Of(newest.Decisions[0]) : null;
    }

    private async Task<HealthSnapshot> HealthAsync(CancellationToken cancellationToken)
    {
        var report = await health.CheckHealthAsync(cancellationToken);
        return new HealthSnapshot(
            report.Status.ToString(),
            new SortedDictionary<string, string>(report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString()), StringComparer.Ordinal));
    }

    private static bool SameHealth(HealthSnapshot a, HealthSnapshot b) =>
        a.Status == b.Status && a.Checks.Count == b.Checks.Count && a.Checks.All(c => b.Checks.TryGetValue(c.Key, out var s) && s == c.Value);

    /// <summary>The risk events from a moment on, each once, oldest first.</summary>
    private sealed class RiskEventTail(DateTimeOffset from)
    {
        private readonly HashSet<string> _sent = new(StringComparer.Ordinal);

        /// <param name="newestFirst">The newest risk events, as the log lists them.</param>
        public IReadOnlyList<RiskEvent> New(IReadOnlyList<RiskEvent> newestFirst)
        {
            var fresh = new List<RiskEvent>();
            for (var i = newestFirst.Count - 1; i >= 0; i--)
            {
                var riskEvent = newestFirst[i];
                if (riskEvent.At >= from && _sent.Add(riskEvent.EventId))
                {
                    fresh.Add(riskEvent);
                }
            }

            // What the log no longer lists among its newest is never listed again: forget it.
            if (_sent.Count > 4 * RiskEventsPerPoll)
            {
                _sent.IntersectWith(newestFirst.Select(e => e.EventId));
            }

            return fresh;
        }
    }

    /// <summary>Follows the newest end of the decision list: each call returns, oldest first, what it has not returned before.</summary>
    /// <param name="start">The newest decision the client has; it and everything after it in the list count as known.</param>
    private sealed class DecisionTail(DecisionPosition? start)
    {
        private readonly Dictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);
        private DateTimeOffset? _newest = start?.DecidedAt;

        public async Task<IReadOnlyList<Decision>> NewAsync(IDecisionHistory history, CancellationToken cancellationToken)
        {
            var page = await history.QueryAsync(new DecisionQuery { From = _newest - Overlap, Limit = MaxPerPoll }, cancellationToken);
            var fresh = new List<Decision>();
            for (var i = page.Decisions.Count - 1; i >= 0; i--)
            {
                var decision = page.Decisions[i];
                if (start is { } known && !DecisionPosition.Of(decision).IsBefore(known))
                {
                    continue;
                }

                if (_seen.TryAdd(decision.DecisionId, decision.DecidedAt))
                {
                    fresh.Add(decision);
                }

                if (_newest is not { } newest || decision.DecidedAt > newest)
                {
                    _newest = decision.DecidedAt;
                }
            }

            // Forget what fell out of the overlap window: no later poll reads that far back.
            if (_newest is { } latest && _seen.Count > MaxPerPoll)
            {
                foreach (var old in _seen.Where(p => p.Value < latest - Overlap).Select(p => p.Key).ToList())
                {
                    _seen.Remove(old);
                }
            }

            return fresh;
        }
    }
}
