using System.Globalization;
using Kyperian.Api.Application.Monitoring;
using Kyperian.Api.Endpoints.Contracts;
using Kyperian.Api.Endpoints.Http;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Signals;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Endpoints.Monitoring;

/// <summary>What the console reads: the symbols' multi-timeframe state, decisions across symbols, statistics, live events.</summary>
public static class MonitoringEndpoints
{
    public const int DefaultLimit = 50;

    /// <summary>The longest range <c>GET /stats</c> sums.</summary>
    public static readonly TimeSpan MaxStatsRange = TimeSpan.FromDays(93);

    public static IEndpointRouteBuilder MapMonitoringEndpoints(this IEndpointRouteBuilder app)
    {
        var symbols = app.MapGroup("/symbols").WithTags("Console").RequireOperatorKey();
        symbols.MapGet("/", ListSymbolsAsync).WithName("ListSymbols")
            .WithSummary("Every symbol with state: per timeframe the latest direction, confidence, age and whether it is live; the last decision");
        symbols.MapGet("/{symbol}", GetSymbolAsync).WithName("GetSymbol")
            .WithSummary("One symbol's state, and what a BUY and a SELL arriving now would get (a dry run of the engine, no side effects)")
            .WithDescription("The dry run uses the lowest live timeframe and its latest confidence unless ?timeframe= and ?confidence= say otherwise.");

        app.MapGet("/decisions", ListDecisionsAsync).WithTags("Decisions").RequireOperatorKey().WithName("ListDecisions")
            .WithSummary("Decisions across symbols, newest first, filtered by symbol, verdict, reason and time; paged with an opaque cursor")
            .WithDescription($"limit 1 to {DecisionQuery.MaxLimit} (default {DefaultLimit}); from and to are ISO 8601 and inclusive; "
                + "pass the answer's next as ?cursor= for the following page (null on the last page). New decisions never shift a page. "
                + "view=summary answers each decision in one line (what it did to the position, or every veto reason in words) instead of whole.");

        app.MapGet("/stats", GetStatsAsync).WithTags("Console").RequireOperatorKey().WithName("GetStats")
            .WithSummary("Counts by verdict, veto reason, symbol and timeframe; decision and webhook latency percentiles; refused alerts by status")
            .WithDescription("By whole UTC hours; the default range is the last 24 hours, the longest 93 days.");

        app.MapGet("/events", StreamEventsAsync).WithTags("Console").RequireOperatorKey().WithName("Events")
            .WithSummary("Server-sent events: decision, risk (the state), riskEvent (a warning, breach, halt or resume) and health, as they happen")
            .WithDescription("Send Last-Event-ID (or ?since=) to resume after a decision. Under AWS Lambda each response holds what is new and ends, "
                + "with a retry delay: API Gateway buffers responses, so clients poll through the same protocol.")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream");
        return app;
    }

    private static async Task<Ok<SymbolsView>> ListSymbolsAsync(SymbolOverview overview, TimeProvider time, CancellationToken ct) =>
        TypedResults.Ok(new SymbolsView(time.GetUtcNow(), await overview.ListAsync(ct)));

    private static async Task<Results<Ok<SymbolDetail>, ValidationProblem, ProblemHttpResult>> GetSymbolAsync(
        string symbol, [FromQuery] string? timeframe, [FromQuery] string? confidence, SymbolOverview overview, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (!Symbol.TryParse(symbol, out var parsed, out _, out var symbolError))
        {
            errors["symbol"] = [symbolError];
        }

        Timeframe? tf = null;
        if (timeframe is not null)
        {
            if (Timeframe.TryParse(timeframe, out var t))
            {
                tf = t;
            }
            else
            {
                errors["timeframe"] = [Timeframe.Accepted];
            }
        }

        int? conf = null;
        if (confidence is not null)
        {
            if (int.TryParse(confidence, NumberStyles.None, CultureInfo.InvariantCulture, out var c) && c is >= 0 and <= 100)
            {
                conf = c;
            }
            else
            {
                errors["confidence"] = ["must be a whole number from 0 to 100"];
            }
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The query is invalid");
        }

        return await overview.GetAsync(parsed, tf, conf, ct) is { } detail ? TypedResults.Ok(detail) : Problems.NotFound("symbol");
    }

    private static async Task<Results<Ok<DecisionSummaryListView>, DecisionListJson, ValidationProblem>> ListDecisionsAsync(
        [AsParameters] DecisionListQuery request, IDecisionHistory history, CancellationToken ct)
    {
        if (!request.TryParse(out var query, out var errors))
        {
            return TypedResults.ValidationProblem(errors, title: "The query is invalid");
        }

        if (request.Summaries)
        {
            var page = await history.QueryAsync(query, ct);
            return TypedResults.Ok(new DecisionSummaryListView([.. page.Decisions.Select(DecisionSummary.From)], Cursor(page.Next)));
        }

        // Whole decisions go out as the store holds them: building each only to write it again is most of a page's cost.
        var json = await history.QueryJsonAsync(query, ct);
        return new DecisionListJson(json, Cursor(json.Next));
    }

    private static string? Cursor(DecisionPosition? next) => next is { } position ? DecisionCursor.Encode(position) : null;

    private static async Task<Results<Ok<ActivityView>, ValidationProblem>> GetStatsAsync(
        [FromQuery] string? from, [FromQuery] string? to, ActivityReport report, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var start = DecisionListQuery.ParseTime(from, "from", errors);
        var end = DecisionListQuery.ParseTime(to, "to", errors);
        if (start is { } s && end is { } e && (e < s || e - s > MaxStatsRange))
        {
            errors["to"] = ["must not be before from, nor more than 93 days after it"];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The query is invalid");
        }

        return TypedResults.Ok(await report.GetAsync(start, end, ct));
    }

    private static async Task StreamEventsAsync(
        HttpContext context,
        [FromQuery] string? since,
        LiveEvents events,
        IOptions<ConsoleOptions> options,
        TimeProvider time,
        IHostApplicationLifetime lifetime)
    {
        // A stream ends when its client leaves or the app stops, whichever comes first: shutdown does not wait for it.
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var ct = ending.Token;
        var resumeFrom = context.Request.Headers["Last-Event-ID"].ToString() is { Length: > 0 } header ? header : since;
        DecisionPosition? start = DecisionCursor.TryDecode(resumeFrom, out var position) ? position : null;
        var once = options.Value.EventsMode == EventsMode.Snapshot;

        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache, no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        var writer = new ServerSentEvents(response.Body);
        await writer.RetryAsync(once ? options.Value.SnapshotRetryMilliseconds : 2000, ct);
        await writer.WriteAsync("ready", null, new EventsReady(once ? "snapshot" : "stream"), ApiJsonContext.Default.EventsReady, ct);
        try
        {
            await foreach (var live in events.ReadAsync(start, once, ct))
            {
                switch (live)
                {
                    case { Kind: LiveEventKind.Decision, Decision: { } decision }:
                        await writer.WriteAsync(
                            "decision", DecisionCursor.Encode(DecisionPosition.Of(decision)), DecisionSummary.From(decision), ApiJsonContext.Default.DecisionSummary, ct);
                        break;
                    case { Kind: LiveEventKind.Risk, Risk: { } risk, Settings: { } settings }:
                        await writer.WriteAsync("risk", null, RiskView.From(risk, settings, time.GetUtcNow()), ApiJsonContext.Default.RiskView, ct);
                        break;
                    case { Kind: LiveEventKind.RiskEvent, RiskEvent: { } riskEvent }:
                        await writer.WriteAsync("riskEvent", null, riskEvent, ApiJsonContext.Default.RiskEvent, ct);
                        break;
                    case { Kind: LiveEventKind.Health, Health: { } health }:
                        await writer.WriteAsync("health", null, health, ApiJsonContext.Default.HealthSnapshot, ct);
                        break;
                    default:
                        await writer.CommentAsync("keep-alive", ct);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client left, or the app is stopping.
        }
    }
}

/// <summary>The query of <c>GET /decisions</c>, as sent; <see cref="TryParse"/> checks every field and names each bad one.</summary>
public sealed class DecisionListQuery
{
    [FromQuery(Name = "symbol")]
    public string? Symbol { get; init; }

    [FromQuery(Name = "verdict")]
    public string? Verdict { get; init; }

    [FromQuery(Name = "reason")]
    public string? Reason { get; init; }

    [FromQuery(Name = "from")]
    public string? From { get; init; }

    [FromQuery(Name = "to")]
    public string? To { get; init; }

    [FromQuery(Name = "limit")]
    public string? Limit { get; init; }

    [FromQuery(Name = "cursor")]
    public string? Cursor { get; init; }

    /// <summary><c>full</c> (the default): whole decisions; <c>summary</c>: each in one line, as the console lists them.</summary>
    [FromQuery(Name = "view")]
    public string? View { get; init; }

    /// <summary>True when <see cref="View"/> asks for summaries (valid once <see cref="TryParse"/> said so).</summary>
    public bool Summaries => string.Equals(View, "summary", StringComparison.OrdinalIgnoreCase);

    public bool TryParse(out DecisionQuery query, out Dictionary<string, string[]> errors)
    {
        errors = [];
        query = new DecisionQuery();
        if (Symbol is not null)
        {
            if (Kyperian.Domain.Signals.Symbol.TryParse(Symbol, out var symbol, out _, out var error))
            {
                query = query with { Symbol = symbol };
            }
            else
            {
                errors["symbol"] = [error];
            }
        }

        if (Verdict is not null)
        {
            if (DecisionCodes.TryParseVerdict(Verdict.ToUpperInvariant(), out var verdict))
            {
                query = query with { Verdict = verdict };
            }
            else
            {
                errors["verdict"] = ["must be EXECUTE or VETO"];
            }
        }

        if (Reason is not null)
        {
            if (DecisionCodes.TryParseReason(Reason.ToUpperInvariant(), out var reason))
            {
                query = query with { Reason = reason };
            }
            else
            {
                errors["reason"] = ["must be a veto reason code: " + string.Join(", ", Enum.GetValues<VetoReason>().Select(r => r.Code()))];
            }
        }

        query = query with { From = ParseTime(From, "from", errors), To = ParseTime(To, "to", errors) };
        if (query is { From: { } f, To: { } t } && t < f)
        {
            errors["to"] = ["must not be before from"];
        }

        if (Limit is null)
        {
            query = query with { Limit = MonitoringEndpoints.DefaultLimit };
        }
        else if (int.TryParse(Limit, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit is >= 1 and <= DecisionQuery.MaxLimit)
        {
            query = query with { Limit = limit };
        }
        else
        {
            errors["limit"] = [$"must be a whole number from 1 to {DecisionQuery.MaxLimit}"];
        }

        if (View is not null && !Summaries && !string.Equals(View, "full", StringComparison.OrdinalIgnoreCase))
        {
            errors["view"] = ["must be full or summary"];
        }

        if (Cursor is not null)
        {
            if (DecisionCursor.TryDecode(Cursor, out var after))
            {
                query = query with { After = after };
            }
            else
            {
                errors["cursor"] = ["is not a cursor this API gave out: pass a page's next unchanged"];
            }
        }

        return errors.Count == 0;
    }

    internal static DateTimeOffset? ParseTime(string? value, string name, Dictionary<string, string[]> errors)
    {
        if (value is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            return parsed;
        }

        errors[name] = ["must be an ISO 8601 time, such as 2025-01-31T14:00:00Z"];
        return null;
    }
}
