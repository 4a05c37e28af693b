using Kyperian.Api.Contracts;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Risk;
using Kyperian.Domain.Signals;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Kyperian.Api.Operators;

/// <summary>What operators read and steer: stored signals and decisions, and the risk ledger's kill switch.</summary>
public static class OperatorEndpoints
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 200;

    public static IEndpointRouteBuilder MapOperatorEndpoints(this IEndpointRouteBuilder app)
    {
        var signals = app.MapGroup("/signals").WithTags("Signals").AddEndpointFilter<OperatorKeyFilter>();
        signals.MapGet("/{id}", GetSignalAsync).WithName("GetSignal").WithSummary("One stored signal");
        signals.MapGet("/", ListSignalsAsync).WithName("ListSignals").WithSummary("A symbol's latest signals, newest first");

        var decisions = app.MapGroup("/decisions").WithTags("Decisions").AddEndpointFilter<OperatorKeyFilter>();
        decisions.MapGet("/{id}", GetDecisionAsync).WithName("GetDecision")
            .WithSummary("One decision, by decision id (dec_…) or by the signal id it decided (sig_…)");
        decisions.MapGet("/", ListDecisionsAsync).WithName("ListDecisions").WithSummary("A symbol's latest decisions, newest first");

        var risk = app.MapGroup("/risk").WithTags("Risk").AddEndpointFilter<OperatorKeyFilter>();
        risk.MapGet("/", GetRiskAsync).WithName("GetRisk").WithSummary("Today's realised P&L, drawdown, entries and the kill switch");
        risk.MapPost("/pnl", RecordPnlAsync).WithName("RecordPnl")
            .WithSummary("Report realised profit or loss of a closed trade, in % of equity (a loss is negative)");
        risk.MapPost("/halt", HaltAsync).WithName("Halt").WithSummary("Kill switch: veto every new entry (exits still execute)");
        risk.MapPost("/resume", ResumeAsync).WithName("Resume").WithSummary("Lift the kill switch");

        return app;
    }

    private static async Task<Results<Ok<Signal>, ProblemHttpResult>> GetSignalAsync(string id, ISignalStore store, CancellationToken ct) =>
        await store.GetAsync(id, ct) is { } signal ? TypedResults.Ok(signal) : NotFound("signal", id);

    private static async Task<Results<Ok<IReadOnlyList<Signal>>, ValidationProblem>> ListSignalsAsync(
        [FromQuery] string? symbol, [FromQuery] int? limit, ISignalStore store, CancellationToken ct)
    {
        if (ParseQuery(symbol, limit) is { } invalid)
        {
            return invalid;
        }

        Symbol.TryParse(symbol, out var parsed, out _, out _);
        return TypedResults.Ok(await store.ListBySymbolAsync(parsed, limit ?? DefaultLimit, ct));
    }

    private static async Task<Results<Ok<Decision>, ProblemHttpResult>> GetDecisionAsync(string id, IDecisionStore store, CancellationToken ct)
    {
        var decisionId = id.StartsWith(SignalIdentity.SignalPrefix, StringComparison.Ordinal) ? SignalIdentity.DecisionIdFor(id) : id;
        return await store.GetAsync(decisionId, ct) is { } decision ? TypedResults.Ok(decision) : NotFound("decision", id);
    }

    private static async Task<Results<Ok<IReadOnlyList<Decision>>, ValidationProblem>> ListDecisionsAsync(
        [FromQuery] string? symbol, [FromQuery] int? limit, IDecisionStore store, CancellationToken ct)
    {
        if (ParseQuery(symbol, limit) is { } invalid)
        {
            return invalid;
        }

        Symbol.TryParse(symbol, out var parsed, out _, out _);
        return TypedResults.Ok(await store.ListBySymbolAsync(parsed, limit ?? DefaultLimit, ct));
    }

    private static async Task<Ok<RiskView>> GetRiskAsync(IRiskLedger ledger, EngineSettings settings, TimeProvider time, CancellationToken ct) =>
        TypedResults.Ok(RiskView.From(await ledger.GetAsync(RiskState.DayOf(time.GetUtcNow()), ct), settings));

    private static async Task<Results<Ok<RiskView>, ValidationProblem>> RecordPnlAsync(
        PnlReport report, IRiskLedger ledger, EngineSettings settings, TimeProvider time, CancellationToken ct)
    {
        if (!double.IsFinite(report.PnlPct) || Math.Abs(report.PnlPct) > 100)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["pnlPct"] = ["must be a finite % of equity from -100 to 100"] },
                title: "The P&L report is invalid");
        }

        var state = await ledger.RecordPnlAsync(report.PnlPct, RiskState.DayOf(time.GetUtcNow()), ct);
        return TypedResults.Ok(RiskView.From(state, settings));
    }

    private static async Task<Ok<RiskView>> HaltAsync(
        HaltRequest? request, IRiskLedger ledger, EngineSettings settings, TimeProvider time, CancellationToken ct)
    {
        var reason = string.IsNullOrWhiteSpace(request?.Reason) ? "halted by an operator" : request.Reason.Trim();
        if (reason.Length > 200)
        {
            reason = reason[..200];
        }

        var state = await ledger.SetHaltedAsync(true, reason, RiskState.DayOf(time.GetUtcNow()), ct);
        return TypedResults.Ok(RiskView.From(state, settings));
    }

    private static async Task<Ok<RiskView>> ResumeAsync(IRiskLedger ledger, EngineSettings settings, TimeProvider time, CancellationToken ct)
    {
        var state = await ledger.SetHaltedAsync(false, null, RiskState.DayOf(time.GetUtcNow()), ct);
        return TypedResults.Ok(RiskView.From(state, settings));
    }

    private static ValidationProblem? ParseQuery(string? symbol, int? limit)
    {
        var errors = new Dictionary<string, string[]>();
        if (!Symbol.TryParse(symbol, out _, out _, out var symbolError))
        {
            errors["symbol"] = [symbolError];
        }

        if (limit is < 1 or > MaxLimit)
        {
            errors["limit"] = [$"must be from 1 to {MaxLimit}"];
        }

        return errors.Count == 0 ? null : TypedResults.ValidationProblem(errors, title: "The query is invalid");
    }

    private static ProblemHttpResult NotFound(string what, string id) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Not found",
        detail: $"No {what} with id '{(id.Length > 80 ? id[..80] : id)}'.");
}
