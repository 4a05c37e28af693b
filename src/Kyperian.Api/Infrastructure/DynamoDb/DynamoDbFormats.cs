using System.Globalization;
using Amazon.DynamoDBv2.Model;
using Kyperian.Api.Infrastructure.Formats;

namespace Kyperian.Api.Infrastructure.DynamoDb;

/// <summary>Attribute encodings shared by the stores.</summary>
internal static class DynamoDbFormats
{
    /// <summary>Sorts as text in time order, so it can be a sort key.</summary>
    public static string Time(DateTimeOffset value) => SortableUtc.Format(value);

    public static DateTimeOffset ParseTime(string value) => SortableUtc.Parse(value);

    public static AttributeValue S(string value) => new() { S = value };

    public static AttributeValue Num(decimal value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };

    public static AttributeValue Num(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };

    /// <summary>DynamoDB has no NaN or infinity; the engine never produces them, and a 0 is safer than a failed write.</summary>
    public static AttributeValue Num(double value) =>
        new() { N = (double.IsFinite(value) ? value : 0).ToString("R", CultureInfo.InvariantCulture) };

    public static AttributeValue Bool(bool value) => new() { BOOL = value };

    public static void PutIfNotNull(Dictionary<string, AttributeValue> item, string name, string? value)
    {
        if (value is not null)
        {
            item[name] = S(value);
        }
    }

    public static void PutIfNotNull(Dictionary<string, AttributeValue> item, string name, decimal? value)
    {
        if (value is { } v)
        {
            item[name] = Num(v);
        }
    }

    public static string GetS(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var value) && value.S is { } s
            ? s
            : throw new InvalidDataException($"Stored item lacks string attribute '{name}'.");

    public static string? GetSOrNull(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var value) ? value.S : null;

    public static decimal GetDecimal(Dictionary<string, AttributeValue> item, string name) =>
        GetDecimalOrNull(item, name) ?? throw new InvalidDataException($"Stored item lacks number attribute '{name}'.");

    public static decimal? GetDecimalOrNull(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var value) && value.N is { } n
            ? decimal.Parse(n, NumberStyles.Float, CultureInfo.InvariantCulture)
            : null;

    public static double GetDouble(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var value) && value.N is { } n
            ? double.Parse(n, NumberStyles.Float, CultureInfo.InvariantCulture)
            : 0;

    public static long GetLong(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var value) && value.N is { } n
            ? long.Parse(n, NumberStyles.Integer, CultureInfo.InvariantCulture)
            : 0;

    public static bool GetBool(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var value) && value.BOOL == true;
}
