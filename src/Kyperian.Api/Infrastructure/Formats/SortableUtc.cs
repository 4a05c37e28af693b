using System.Globalization;

namespace Kyperian.Api.Infrastructure.Formats;

/// <summary>
/// The one text form of an instant in every store: fixed-width UTC with 100 ns precision, so that it sorts as text in
/// time order (a DynamoDB sort key, a Redis value, a SQLite column) and reads back to the same tick.
/// </summary>
public static class SortableUtc
{
    public const string Pattern = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public static string Format(DateTimeOffset value) => value.UtcDateTime.ToString(Pattern, CultureInfo.InvariantCulture);

    public static DateTimeOffset Parse(string value) =>
        new(DateTime.SpecifyKind(
            DateTime.ParseExact(value, Pattern, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
            DateTimeKind.Utc));
}
