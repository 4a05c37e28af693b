using System.Text;

namespace Kyperian.Api.Infrastructure.EventBridge;

/// <summary>One event for PutEvents. <see cref="Detail"/> is a JSON object as a string.</summary>
public sealed record PutEventsEntry(
    string Source,
    string DetailType,
    string Detail,
    string EventBusName,
    DateTimeOffset? Time = null,
    IReadOnlyList<string>? Resources = null)
{
    /// <summary>A PutEvents call carries at most this many bytes of entries.</summary>
    public const int MaxBatchBytes = 256 * 1024;

    /// <summary>A PutEvents call carries at most this many entries.</summary>
    public const int MaxBatchEntries = 10;

    /// <summary>
    /// The size EventBridge counts against the 256 KiB limit: UTF-8 bytes of Source, DetailType, Detail and each
    /// Resource, plus 14 when Time is set.
    /// </summary>
    public int Size
    {
        get
        {
            var size = Encoding.UTF8.GetByteCount(Source) + Encoding.UTF8.GetByteCount(DetailType) + Encoding.UTF8.GetByteCount(Detail);
            if (Resources is not null)
            {
                foreach (var resource in Resources)
                {
                    size += Encoding.UTF8.GetByteCount(resource);
                }
            }

            return Time is null ? size : size + 14;
        }
    }
}

/// <summary>The outcome of one entry, in request order: an event id, or an error code and message.</summary>
public sealed record PutEventsResultEntry(string? EventId, string? ErrorCode, string? ErrorMessage);

public sealed record PutEventsResult(int FailedEntryCount, IReadOnlyList<PutEventsResultEntry> Entries);

/// <summary>
/// The PutEvents call, and nothing more: the seam where AWSSDK.EventBridge's client can replace our signed one
/// (an adapter over <c>IAmazonEventBridge.PutEventsAsync</c>, registered instead of <see cref="SignedEventBridgeClient"/>).
/// </summary>
public interface IPutEventsClient
{
    /// <summary>Sends 1–10 entries in one call. Throws when the call as a whole failed; per-entry failures are in the result.</summary>
    Task<PutEventsResult> PutEventsAsync(IReadOnlyList<PutEventsEntry> entries, CancellationToken cancellationToken);

    /// <summary>Reads the bus's description: for the health check.</summary>
    Task DescribeEventBusAsync(string name, CancellationToken cancellationToken);
}

/// <summary>Entries the bus did not take, after every resend the options allow.</summary>
public sealed class EventBridgePublishException(IReadOnlyList<(PutEventsEntry Entry, string ErrorCode, string? ErrorMessage)> failed)
    : Exception($"EventBridge did not take {failed.Count} entr{(failed.Count == 1 ? "y" : "ies")}: "
        + string.Join(", ", failed.Select(f => f.ErrorCode).Distinct()))
{
    public IReadOnlyList<(PutEventsEntry Entry, string ErrorCode, string? ErrorMessage)> Failed { get; } = failed;
}
