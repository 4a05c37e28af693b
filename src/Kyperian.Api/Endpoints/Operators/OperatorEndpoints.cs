using Kyperian.Api.Application.Risk;
using Kyperian.Api.Endpoints.Contracts;
using Kyperian.Api.Endpoints.Http;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Risk;
using Kyperian.Domain.Signals;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

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
        risk.MapGet("/", GetRiskAsync).WithName("GetRisk")
            .WithSummary("The trading day's P&L and worst point, the total loss, the limits, entries and the kill switch");
        risk.MapPost("/pnl", RecordPnlAsync).WithName("RecordPnl")
            .WithSummary("Report realised profit or loss, in % of the initial balance (a loss is negative); 409 when PnlSource is Model");
        risk.MapPost("/halt", HaltAsync).WithName("Halt").WithSummary("Kill switch: veto every new entry (exits still execute)");
        risk.MapPost("/resume", ResumeAsync).WithName("Resume").WithSummary("Lift the kill switch");
        risk.MapGet("/events", ListRiskEventsAsync).WithName("ListRiskEvents")
            .WithSummary("Loss warnings and breaches, halts and resumes, newest first");

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

    private static async Task<Ok<RiskView>> GetRiskAsync(RiskDesk desk, TimeProvider time, CancellationToken ct)
    {
        var (risk, settings) = await desk.GetAsync(ct);
        return TypedResults.Ok(RiskView.From(risk, settings, time.GetUtcNow()));
    }

    private static async Task<Results<Ok<RiskView>, ValidationProblem, ProblemHttpResult>> RecordPnlAsync(
        PnlReport report, RiskDesk desk, TimeProvider time, CancellationToken ct)
    {
        if (report.PnlPct is not { } pnlPct || !double.IsFinite(pnlPct) || Math.Abs(pnlPct) > 100)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["pnlPct"] = ["is required: a finite % of the initial balance from -100 to 100 (a loss is negative)"] },
                title: "The P&L report is invalid");
        }

        var note = report.Note is { } text ? Bounded(text.Trim(), 200) : null;
        var reported = await desk.ReportPnlAsync(pnlPct, note, ct);
        if (reported is not { } recorded)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "P&L comes from the model",
                detail: "The engine's PnlSource is Model: closed model trades feed the risk ledger, and reports are refused. Set pnlSource to Reported to report P&L.");
        }

        return TypedResults.Ok(RiskView.From(recorded.Risk, recorded.Settings, time.GetUtcNow()));
    }

    private static async Task<Ok<RiskView>> HaltAsync(HaltRequest? request, RiskDesk desk, TimeProvider time, CancellationToken ct)
    {
        var reason = string.IsNullOrWhiteSpace(request?.Reason) ? "halted by an operator" : Bounded(request.Reason.Trim(), 200);
        var (risk, settings) = await desk.HaltAsync(reason, ct);
        return TypedResults.Ok(RiskView.From(risk, settings, time.GetUtcNow()));
    }

    private static async Task<Ok<RiskView>> ResumeAsync(RiskDesk desk, TimeProvider time, CancellationToken ct)
    {
        var (risk, settings) = await desk.ResumeAsync(ct);
        return TypedResults.Ok(RiskView.From(risk, settings, time.GetUtcNow()));
    }

    private static async Task<Ok<IReadOnlyList<RiskEvent>>> ListRiskEventsAsync([FromQuery] int? limit, IRiskEventLog events, CancellationToken ct) =>
        TypedResults.Ok(await events.ListAsync(Math.Clamp(limit ?? DefaultLimit, 1, MaxLimit), ct));

    private static string Bounded(string text, int length) => text.Length > length ? text[..length] : text;

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
