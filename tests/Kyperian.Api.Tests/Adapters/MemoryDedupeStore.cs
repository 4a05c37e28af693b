using System.Collections.Concurrent;
using Kyperian.Domain.Ports;

namespace Kyperian.Api.Tests.Adapters;

/// <summary>A plain in-memory dedupe store, for tests whose subject is another backend.</summary>
public sealed class MemoryDedupeStore(TimeProvider time) : IDedupeStore
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _claims = new(StringComparer.Ordinal);

    public Task<bool> TryClaimAsync(string signalId, TimeSpan window, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        while (true)
        {
            if (_claims.TryAdd(signalId, now + window))
            {
                return Task.FromResult(true);
            }

            if (_claims.TryGetValue(signalId, out var expiresAt))
            {
                if (expiresAt > now)
                {
                    return Task.FromResult(false);
                }

                if (_claims.TryUpdate(signalId, now + window, expiresAt))
                {
                    return Task.FromResult(true);
                }
            }
        }
    }

    public Task<bool> IsClaimedAsync(string signalId, CancellationToken cancellationToken) =>
        Task.FromResult(_claims.TryGetValue(signalId, out var expiresAt) && expiresAt > time.GetUtcNow());

    public Task ReleaseAsync(string signalId, CancellationToken cancellationToken)
    {
        _claims.TryRemove(signalId, out _);
        return Task.CompletedTask;
    }
}
