using System.Globalization;
using Kyperian.Api.Endpoints.Contracts;
using Kyperian.Api.Endpoints.Http;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Positions;
using Kyperian.Domain.Signals;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Kyperian.Api.Endpoints.Positions;

/// <summary>The model positions the executed decisions add up to, and the trades they closed.</summary>
public static class PositionEndpoints
{
    public const int DefaultTrades = 20;
    public const int MaxTrades = 200;

    public static IEndpointRouteBuilder MapPositionEndpoints(this IEndpointRouteBuilder app)
    {
        var positions = app.MapGroup("/positions").WithTags("Positions").RequireOperatorKey();
        positions.MapGet("/", ListOpenAsync).WithName("ListPositions").WithSummary("Every open model position (Long or Short)");
        positions.MapGet("/{symbol}", GetAsync).WithName("GetPosition")
            .WithSummary("A symbol's model position (Flat when none) and its latest closed trades, newest first");
        return app;
    }

    private static async Task<Ok<IReadOnlyList<Position>>> ListOpenAsync(IPositionBook book, CancellationToken ct) =>
        TypedResults.Ok(await book.ListOpenAsync(ct));

    private static async Task<Results<Ok<PositionView>, ValidationProblem>> GetAsync(
        string symbol, [FromQuery] string? trades, IPositionBook book, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (!Symbol.TryParse(symbol, out var parsed, out _, out var symbolError))
        {
            errors["symbol"] = [symbolError];
        }

        var limit = DefaultTrades;
        if (trades is not null && !(int.TryParse(trades, NumberStyles.None, CultureInfo.InvariantCulture, out limit) && limit is >= 0 and <= MaxTrades))
        {
            errors["trades"] = [$"must be a whole number from 0 to {MaxTrades}"];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The query is invalid");
        }

        return TypedResults.Ok(new PositionView(await book.GetAsync(parsed, ct), limit == 0 ? [] : await book.ListClosedTradesAsync(parsed, limit, ct)));
    }
}
