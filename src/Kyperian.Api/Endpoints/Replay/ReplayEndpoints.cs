using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Kyperian.Api.Application.Replay;
using Kyperian.Api.Endpoints.Contracts;
using Kyperian.Api.Endpoints.Http;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Replay;
using Kyperian.Domain.Signals;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Kyperian.Api.Endpoints.Replay;

/// <summary>What-if replays of stored or sent alerts under other settings, and the track record of the recorded decisions.</summary>
public static class ReplayEndpoints
{
    /// <summary>The range <c>GET /performance</c> covers when <c>from</c> is not given.</summary>
    public static readonly TimeSpan DefaultPerformanceRange = TimeSpan.FromDays(30);

    public static IEndpointRouteBuilder MapReplayEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(string.Empty).WithTags("Replay and performance").RequireOperatorKey();
        group.MapPost("/replay", ReplayAsync)
            .WithName("Replay")
            .WithSummary("Replay stored or sent alerts through the engine with other settings, without side effects")
            .WithDescription(
                "Either the stored signals received from `from` to `to` (default now), of `symbols` (default every symbol), or "
                + "the alerts in `signals` (each as TradingView sends it to /webhook, with its `time`); `settings` are engine "
                + "settings to try instead of those in force, checked as PUT /settings/engine checks them (a bad one is a 400 "
                + "naming it). The engine's very rules, bar-close bursts and risk limits run on a virtual clock in alert-time "
                + "order, from a clean state: every symbol flat, no cooldown, no reported P&L. Nothing is stored, published, "
                + "notified or counted, and the live state is neither read nor changed. The answer streams as it runs: the "
                + "decisions (as /decisions shows them), the summary, the signals decided otherwise than recorded, and the "
                + "performance report (plain percentages of price, no fees).")
            .Accepts<ReplayRequest>("application/json")
            .Produces<ReplayAnswer>(StatusCodes.Status200OK);
        group.MapGet("/performance", PerformanceAsync)
            .WithName("GetPerformance")
            .WithSummary("The recorded decisions' track record: closed model trades, and what the vetoed entries would have returned, by reason")
            .WithDescription(
                "From the decisions made from `from` (default 30 days before `to`) to `to` (default now), of `symbol` (default "
                + "every symbol): closed trades, win rate, average and total return, the worst trade and the largest drawdown of "
                + "the model equity curve; and for every vetoed entry, had it executed at its price, its return by the symbol's "
                + "next exit or reversal (else the latest price seen after it), grouped by veto reason. Plain percentages of "
                + "price, summed: no fees, no slippage, no position sizes.");
        return app;
    }

    private static async Task<Results<ReplayStream, ValidationProblem>> ReplayAsync(
        HttpRequest request, ReplayRunner runner, ReplayAlerts alerts, TimeProvider time, CancellationToken ct)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, default, ct);
        }
        catch (JsonException)
        {
            return Invalid(new Dictionary<string, string[]> { ["body"] = ["must be JSON: from and to (or signals), with symbols and settings if wanted"] });
        }

        using (document)
        {
            var (plan, errors) = await ReplayRequestReader.ReadAsync(document.RootElement, time.GetUtcNow(), runner, alerts, ct);
            return plan is null ? Invalid(errors) : new ReplayStream(plan, runner);
        }
    }

    private static async Task<Results<Ok<PerformanceAnswer>, ValidationProblem>> PerformanceAsync(
        [FromQuery] string? from, [FromQuery] string? to, [FromQuery] string? symbol, ReplayRunner runner, TimeProvider time, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var end = Time(to, "to", errors) ?? time.GetUtcNow();
        var start = Time(from, "from", errors) ?? end - DefaultPerformanceRange;
        Symbol? chosen = null;
        if (symbol is not null)
        {
            if (Symbol.TryParse(symbol, out var parsed, out _, out var error))
            {
                chosen = parsed;
            }
            else
            {
                errors["symbol"] = [error];
            }
        }

        if (errors.Count == 0 && start >= end)
        {
            errors["to"] = ["must be after from"];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The query is invalid");
        }

        return TypedResults.Ok(new PerformanceAnswer(start, end, chosen, await runner.PerformanceAsync(start, end, chosen, ct)));
    }

    private static DateTimeOffset? Time(string? text, string field, Dictionary<string, string[]> errors)
    {
        if (text is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            return parsed.ToUniversalTime();
        }

        errors[field] = ["must be an ISO-8601 time, such as 2026-01-15T00:00:00Z"];
        return null;
    }

    private static ValidationProblem Invalid(Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "The replay request is invalid");

    /// <summary>
    /// Runs the replay while it writes the answer: each decision is written as it is made, flushed every
    /// <see cref="FlushBytes"/>, so a long range streams in memory that does not grow with it.
    /// </summary>
    public sealed class ReplayStream(ReplayPlan plan, ReplayRunner runner) : IResult
    {
        private const int FlushBytes = 64 * 1024;

        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;

            // The options every endpoint writes with, so a decision reads as /decisions shows one.
            var json = httpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
            var decisionInfo = (JsonTypeInfo<Decision>)json.GetTypeInfo(typeof(Decision));
            var ct = httpContext.RequestAborted;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/json; charset=utf-8";

            // Written into the response's pipe (a serializer's flush only hands it the bytes); sent every FlushBytes.
            var body = response.BodyWriter;
            await using var writer = new Utf8JsonWriter(body);
            var sent = 0L;
            void Write<T>(string name, T value)
            {
                writer.WritePropertyName(name);
                JsonSerializer.Serialize(writer, value, (JsonTypeInfo<T>)json.GetTypeInfo(typeof(T)));
            }

            writer.WriteStartObject();
            Write("settings", plan.Settings);
            Write("overridden", plan.Overridden);
            writer.WriteStartArray("decisions");

            async ValueTask WriteAsync(Decision decision, CancellationToken cancellationToken)
            {
                JsonSerializer.Serialize(writer, decision, decisionInfo);
                if (writer.BytesCommitted - sent >= FlushBytes)
                {
                    sent = writer.BytesCommitted;
                    await body.FlushAsync(cancellationToken);
                }
            }

            ReplayResult result = plan switch
            {
                ReplayPlan.Stored stored => await runner.ReplayStoredAsync(stored.From, stored.To, stored.Symbols, stored.Settings, WriteAsync, ct),
                ReplayPlan.Inline inline => await runner.ReplayAsync(inline.Signals, inline.Settings, WriteAsync, ct),
                _ => throw new InvalidOperationException("Unknown replay plan."),
            };
            writer.WriteEndArray();
            Write("summary", result.Summary);
            Write("differences", result.Differences);
            Write("performance", result.Performance);
            writer.WriteEndObject();
            writer.Flush();
            await body.FlushAsync(ct);
        }
    }
}
