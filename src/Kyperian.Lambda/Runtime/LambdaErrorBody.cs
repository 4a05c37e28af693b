using System.Text.Json.Serialization;

namespace Kyperian.Lambda.Runtime;

/// <summary>The standard Lambda error document (<c>application/vnd.aws.lambda.error+json</c>).</summary>
internal sealed record LambdaErrorBody(
    [property: JsonPropertyName("errorMessage")] string ErrorMessage,
    [property: JsonPropertyName("errorType")] string ErrorType,
    [property: JsonPropertyName("stackTrace")] IReadOnlyList<string> StackTrace)
{
    public static LambdaErrorBody From(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var lines = new List<string>();
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (!ReferenceEquals(e, exception))
            {
                lines.Add($"--- inner {e.GetType().FullName}: {e.Message}");
            }

            foreach (var line in (e.StackTrace ?? string.Empty).Split('\n'))
            {
                var trimmed = line.Trim();
                if (trimmed.Length > 0)
                {
                    lines.Add(trimmed);
                }
            }
        }

        return new LambdaErrorBody(exception.Message, exception.GetType().Name, lines);
    }
}
