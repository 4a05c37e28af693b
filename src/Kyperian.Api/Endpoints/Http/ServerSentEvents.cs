using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Kyperian.Api.Endpoints.Http;

/// <summary>Writes the text/event-stream format: one event per write, flushed at once.</summary>
public sealed class ServerSentEvents(Stream body)
{
    private static readonly byte[] EndOfEvent = "\n\n"u8.ToArray();

    public async Task RetryAsync(int milliseconds, CancellationToken cancellationToken)
    {
        await body.WriteAsync(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"retry: {milliseconds}\n\n")), cancellationToken);
        await body.FlushAsync(cancellationToken);
    }

    /// <param name="name">The event's type (<c>event:</c>).</param>
    /// <param name="id">The event's id (<c>id:</c>), which a client sends back as Last-Event-ID; none when null.</param>
    /// <param name="data">Serialized as one line of JSON (JSON escapes line breaks, so it never splits the event).</param>
    /// <param name="type">The source-generated contract of <paramref name="data"/>.</param>
    /// <param name="cancellationToken">The request's.</param>
    public async Task WriteAsync<T>(string name, string? id, T data, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        var head = id is null ? $"event: {name}\ndata: " : $"id: {id}\nevent: {name}\ndata: ";
        await body.WriteAsync(Encoding.UTF8.GetBytes(head), cancellationToken);
        await JsonSerializer.SerializeAsync(body, data, type, cancellationToken);
        await body.WriteAsync(EndOfEvent, cancellationToken);
        await body.FlushAsync(cancellationToken);
    }

    /// <summary>A comment line: keeps idle proxies from closing the stream.</summary>
    public async Task CommentAsync(string text, CancellationToken cancellationToken)
    {
        await body.WriteAsync(Encoding.UTF8.GetBytes($": {text}\n\n"), cancellationToken);
        await body.FlushAsync(cancellationToken);
    }
}
