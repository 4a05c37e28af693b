using Kyperian.Api.Endpoints.Contracts;
using Kyperian.Api.Endpoints.Http;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Risk;
using Kyperian.Domain.Signals;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Endpoints.Operators;

/// <summary>What operators read and steer: stored signals and decisions, and the risk ledger's kill switch.</summary>
public static class OperatorEndpoints
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 200;

    public static IEndpointRouteBuilder MapOperatorEndpoints(this IEndpointRouteBuilder app)
    {
        var signals = app.MapGroup("/signals").WithTags("Signals").RequireOperatorKey();
        signals.MapGet("/{id}", GetSignalAsync).WithName("GetSignal").WithSummary("One stored signal");
        signals.MapGet("/", ListSignalsAsync).WithName("ListSignals").WithSummary("A symbol's latest signals, newest first");

        var decisions = app.MapGroup("/decisions").WithTags("Decisions").RequireOperatorKey();
        decisions.MapGet("/{id}", GetDecisionAsync).WithName("GetDecision")
            .WithSummary("One decision, by decision id (dec_…) or by the signal id it decided (sig_…)");
        decisions.MapGet("/", ListDecisionsAsync).WithName("ListDecisions").WithSummary("A symbol's latest decisions, newest first");

        var risk = app.MapGroup("/risk").WithTags("Risk").RequireOperatorKey();
        risk.MapGet("/", GetRiskAsync).WithName("GetRisk").WithSummary("Today's realised P&L, drawdown, entries and the kill switch");
        risk.MapPost("/pnl", RecordPnlAsync).WithName("RecordPnl")
            .WithSummary("Report realised profit or loss of a closed trade, in % of equity (a loss is negative)");
        risk.MapPost("/halt", HaltAsync).WithName("Halt").WithSummary("Kill switch: veto every new entry (exits still execute)");
        risk.MapPost("/resume", ResumeAsync).WithName("Resume").WithSummary("Lift the kill switch");

        return app;
    }

    private static async Task<Results<Ok<Signal>, ProblemHttpResult>> GetSignalAsync(string id, ISignalStore store, CancellationToken ct) =>
        await store.GetAsync(id, ct) is { } signal ? TypedResults.Ok(signal) : Problems.NotFound("signal");

    private static async Task<Results<Ok<IReadOnlyList<Signal>>, ValidationProblem>> ListSignalsAsync(
        [FromQuery] string? symbol, [FromQuery] string? limit, ISignalStore store, CancellationToken ct)
    {
        if (ParseQuery(symbol, limit) is not ({ } parsed, { } count))
        {
            return Invalid(symbol, limit);
        }

        return TypedResults.Ok(await store.ListBySymbolAsync(parsed, count, ct));
    }

    private static async Task<Results<Ok<Decision>, ProblemHttpResult>> GetDecisionAsync(string id, IDecisionStore store, CancellationToken ct)
    {
        var decisionId = id.StartsWith(SignalIdentity.SignalPrefix, StringComparison.Ordinal) ? SignalIdentity.DecisionIdFor(id) : id;
        return await store.GetAsync(decisionId, ct) is { } decision ? TypedResults.Ok(decision) : Problems.NotFound("decision");
    }

    private static async Task<Results<Ok<IReadOnlyList<Decision>>, ValidationProblem>> ListDecisionsAsync(
        [FromQuery] string? symbol, [FromQuery] string? limit, IDecisionStore store, CancellationToken ct)
    {
        if (ParseQuery(symbol, limit) is not ({ } parsed, { } count))
        {
            return Invalid(symbol, limit);
        }

        return TypedResults.Ok(await store.ListBySymbolAsync(parsed, count, ct));
    }

    private static async Task<Ok<RiskView>> GetRiskAsync(IRiskLedger ledger, IOptionsMonitor<EngineSettings> settings, TimeProvider time, CancellationToken ct) =>
        TypedResults.Ok(RiskView.From(await ledger.GetAsync(RiskState.DayOf(time.GetUtcNow()), ct), settings.CurrentValue));

    private static async Task<Results<Ok<RiskView>, ValidationProblem>> RecordPnlAsync(
        PnlReport report, IRiskLedger ledger, IOptionsMonitor<EngineSettings> settings, TimeProvider time, CancellationToken ct)
    {
        if (report.PnlPct is not { } pnlPct || !double.IsFinite(pnlPct) || Math.Abs(pnlPct) > 100)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["pnlPct"] = ["is required: a finite % of equity from -100 to 100 (a loss is negative)"] },
                title: "The P&L report is invalid");
        }

        var state = await ledger.RecordPnlAsync(pnlPct, RiskState.DayOf(time.GetUtcNow()), ct);
        return TypedResults.Ok(RiskView.From(state, settings.CurrentValue));
    }

    private static async Task<Ok<RiskView>> HaltAsync(
        HaltRequest? request, IRiskLedger ledger, IOptionsMonitor<EngineSettings> settings, TimeProvider time, CancellationToken ct)
    {
        var reason = string.IsNullOrWhiteSpace(request?.Reason) ? "halted by an operator" : request.Reason.Trim();
        if (reason.Length > 200)
        {
            reason = reason[..200];
        }

        var state = await ledger.SetHaltedAsync(true, reason, RiskState.DayOf(time.GetUtcNow()), ct);
        return TypedResults.Ok(RiskView.From(state, settings.CurrentValue));
    }

    private static async Task<Ok<RiskView>> ResumeAsync(IRiskLedger ledger, IOptionsMonitor<EngineSettings> settings, TimeProvider time, CancellationToken ct)
    {
        var state = await ledger.SetHaltedAsync(false, null, RiskState.DayOf(time.GetUtcNow()), ct);
        return TypedResults.Ok(RiskView.From(state, settings.CurrentValue));
    }

    /// <returns>The symbol and limit, or nulls when either is invalid (<see cref="Invalid"/> says why).</returns>
    private static (Symbol? Symbol, int? Limit) ParseQuery(string? symbol, string? limit)
    {
        Symbol? parsedSymbol = Symbol.TryParse(symbol, out var s, out _, out _) ? s : null;
        int? parsedLimit = limit is null ? DefaultLimit
            : int.TryParse(limit, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var l) && l is >= 1 and <= MaxLimit ? l
            : null;
        return (parsedSymbol, parsedLimit);
    }

    private static ValidationProblem Invalid(string? symbol, string? limit)
    {
        var errors = new Dictionary<string, string[]>();
        if (!Symbol.TryParse(symbol, out _, out _, out var symbolError))
        {
            errors["symbol"] = [symbolError];
        }

        if (ParseQuery(null, limit).Limit is null)
        {
            errors["limit"] = [$"must be a whole number from 1 to {MaxLimit}"];
        }

        return TypedResults.ValidationProblem(errors, title: "The query is invalid");
    }
}
